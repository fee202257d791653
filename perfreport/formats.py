"""Report formats: a folder of templates with a ``format.yml``, extending another format.

A format folder ``NAME/`` holds ``format.yml`` (``description``, ``extends``,
``style``) and templates that override the format it extends. Folders are
looked up in the template directories given by the user first, then among the
built-in formats.

Template names resolve along the chain (``NAME/``, what it extends, …,
``standard/``), so a county overrides ``macros.xml.j2`` just by having one; a
template that extends another format's template names it with its folder
(``{% extends "standard/report.xml.j2" %}``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import DataError, Location, Problem
from .i18n import _
from .style import builtin_profile, merge, read_profile
from .templating import BUILTIN_TEMPLATES

DEFAULT_FORMAT = "standard"
ENTRY_TEMPLATE = "report.xml.j2"


@dataclass
class Format:
    name: str
    description: str
    chain: list[Path]            # the format's folder, then what it extends, …
    roots: list[Path]            # template directories (user's first, built-in last)
    profile: dict = field(default_factory=dict)
    rules: str | None = None     # the rule set the format names (nearest in the chain)

    @property
    def search_path(self) -> list[Path]:
        """Where templates are looked up: the chain's folders, then the roots (for ``NAME/x.j2`` names)."""
        return [*self.chain, *self.roots]


def _find(name: str, roots: list[Path]) -> Path | None:
    for root in roots:
        folder = root / name
        if (folder / "format.yml").is_file():
            return folder
    return None


def _read_meta(folder: Path) -> dict:
    path = folder / "format.yml"
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(Problem("PR201", _("无法读取格式说明：{detail}").format(detail=exc), Location(str(path)))) from None
    if not isinstance(meta, dict):
        raise DataError(Problem("PR201", _("格式说明的最外层应为“字段: 值”的映射"), Location(str(path))))
    return meta


def resolve(name: str | None = None, template_dirs: list[str | Path] = ()) -> Format:
    """The format ``name`` (default ``standard``) with its chain, search path and style profile."""
    name = name or DEFAULT_FORMAT
    roots = [Path(d) for d in template_dirs] + [BUILTIN_TEMPLATES]
    chain: list[Path] = []
    metas: list[dict] = []
    current: str | None = name
    while current:
        if "/" in current or "\\" in current or current.startswith("."):
            raise DataError(Problem("PR202", _("格式名称“{name}”不合法").format(name=current), Location()))
        folder = _find(current, roots)
        if folder is None:
            raise DataError(Problem("PR202", _("找不到报告格式“{name}”").format(name=current), Location()))
        if folder in chain:
            raise DataError(Problem("PR203", _("格式“{name}”的 extends 形成了循环").format(name=current), Location(str(folder / "format.yml"))))
        chain.append(folder)
        meta = _read_meta(folder)
        metas.append(meta)
        current = meta.get("extends")
    profile = builtin_profile()
    for folder, meta in reversed(list(zip(chain, metas))):
        style = meta.get("style")
        if style:
            path = folder / style
            profile = merge(profile, read_profile(path) if path.is_file() else builtin_profile(style))
    rules = next((str(folder / meta["rules"]) if (folder / str(meta["rules"])).is_file() else meta["rules"]
                  for folder, meta in zip(chain, metas) if meta.get("rules")), None)
    return Format(name, str(metas[0].get("description", "")), chain, roots, profile, rules)
