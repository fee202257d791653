"""Benchmark units: the reference unit (examples/shuren-2023.yaml) with N generated projects.

Shared by the benchmark scripts; plain YAML text so that every run reads,
validates and computes the unit like a user's file.
"""
from __future__ import annotations

from pathlib import Path

import sys

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # measure this checkout's perfreport, whatever is installed
REFERENCE = ROOT / "examples" / "shuren-2023.yaml"

_INDICATORS = [
    {"level1": "产出指标", "level2": "数量指标", "name": "日常巡查次数", "nature": "≥", "target": 100, "unit": "次", "actual": 112},
    {"level1": "产出指标", "level2": "质量指标", "name": "项目完成率", "nature": "≥", "target": 90, "unit": "%", "actual": 95},
    {"level1": "效益指标", "level2": "社会效益指标", "name": "群众生活条件改善", "target": "好", "actual": "好"},
    {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "社会公众满意度", "nature": "≥", "target": 90, "unit": "%", "actual": 92},
]


def unit_data(projects: int, short_name: str = "树人镇", year: int = 2023) -> dict:
    """The reference unit's data with ``projects`` generated projects, each with four indicators."""
    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    data.pop("project_count", None)
    data["unit"] = dict(data["unit"], short_name=short_name, name=f"丰都县{short_name}人民政府")
    data["year"] = year
    data["projects"] = [
        {
            "name": f"{short_name}第{i + 1}号项目专项经费",
            "budget": 10 + i % 17,
            "spent": 9 + i % 17 - (i % 3) * 0.5,
            "department": f"丰都县{short_name}人民政府",
            "implementer": f"{short_name}财政办",
            "purpose": "保障辖区内公共服务正常运行，改善群众生产生活条件，提高服务质量和效率。",
            "goal": {"expected": "全年完成计划任务", "actual": "全年完成计划任务"},
            "indicators": [dict(ind) for ind in _INDICATORS],
        }
        for i in range(projects)
    ]
    return data


def unit_text(projects: int, **names) -> str:
    return yaml.safe_dump(unit_data(projects, **names), allow_unicode=True, sort_keys=False)


def write_unit(path: Path, projects: int, **names) -> Path:
    path.write_text(unit_text(projects, **names), encoding="utf-8")
    return path


def best_of(function, repeat: int = 5) -> float:
    """The fastest of ``repeat`` wall-clock timings of ``function()``, in seconds (after one warm-up call)."""
    import time

    function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)
