"""The commented starting file of `perfreport new unit.yaml` and YAML written from data."""
import re
from decimal import Decimal

import pytest

import perfreport
from perfreport.errors import DataError
from perfreport.read.source import load_text
from perfreport.tools.starter import KINDS, dump, starting_file
from perfreport.schema import unit_schema
from perfreport.checks.schema import validate

# A line the clerk must fill: `key:` with nothing after it but the `# * ……例：示例` comment.
BLANK_REQUIRED = re.compile(r"^(\s*(?:- )?)([\w]+):  # \* .*。例：(.*)$", re.M)
# A commented-out data line (`# key: value` or `# - item`), as opposed to an explanation.
COMMENTED_DATA = re.compile(r"^(\s*)# ((?:- )?[\w]+:(?: |$)|- )", re.M)


def fill(text: str) -> str:
    """What a clerk does: put a value (here: the example) after every blank required key."""
    return BLANK_REQUIRED.sub(r"\1\2: \3", text)


def required_leaves(schema, path=(), forced=()):
    for key, rules in schema.items():
        here = path + (key,)
        if not (rules.get("required") or here in forced):
            continue
        if rules.get("type") == "dict" and "schema" in rules:
            yield from required_leaves(rules["schema"], here, forced)
        elif rules.get("type") == "list" and rules["schema"].get("type") == "dict":
            yield from required_leaves(rules["schema"]["schema"], here + (0,), forced)
        else:
            yield here


@pytest.mark.parametrize("kind", KINDS)
def test_blank_starting_file_loads_and_names_exactly_the_required_values(kind):
    common = (("notice",), ("funds", "budget"))
    forced = {"department": common, "project": common + (("projects",), ("goals",), ("goals", "indicators"))}[kind]
    source = load_text(starting_file(kind), "unit.yaml")
    with pytest.raises(DataError) as exc:
        validate(source)
    problems = exc.value.problems
    assert {p.code for p in problems} == {"PR104"}
    assert {p.location.path for p in problems} == set(required_leaves(unit_schema(), forced=forced))
    assert all(p.location.line for p in problems)


@pytest.mark.parametrize("kind", KINDS)
def test_filled_starting_file_renders(kind, tmp_path):
    unit = tmp_path / "unit.yaml"
    unit.write_text(fill(starting_file(kind)), encoding="utf-8")
    report = perfreport.load(unit)
    assert report.unit["unit"]["name"] == "丰都县树人镇人民政府" and report.unit["funds"]["budget"] == Decimal("3336.96")
    assert (len(report.unit["projects"]) == 1) is (kind == "project")
    assert perfreport.render(report, tmp_path / "unit.docx").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_every_commented_example_is_valid_data(kind):
    text = COMMENTED_DATA.sub(r"\1\2", fill(starting_file(kind)))
    data = validate(load_text(text))
    for key in unit_schema():  # every key of the schema was in the file, with a valid example
        assert data.get(key) is not None, key


def test_every_key_is_labelled_and_required_ones_are_marked():
    text = starting_file()
    for key, rules in unit_schema().items():
        line = next(line for line in text.splitlines() if re.match(rf"(# )?{key}:", line))
        assert rules["meta"]["label"] in line
        assert ("# * " in line) is bool(rules.get("required")), line
    assert "  name:  # * 单位全称。例：丰都县树人镇人民政府" in text
    assert "  # self_name: 我镇  # 自称" in text


def test_dump_keeps_decimal_text_order_and_paragraphs():
    data = {"year": 2023, "funds": {"spent": Decimal("3000.00"), "budget": Decimal("1E+2")},
            "background": "第一段。\n第二段。\n", "goals": {"indicators": [{"nature": "≥", "unit": "%", "target": "90"}]}}
    text = dump(data, header="由 unit.xlsx 转换")
    assert text.startswith("# 由 unit.xlsx 转换\nyear: 2023\nfunds:\n  spent: 3000.00\n  budget: 100\n")
    assert "background: |\n  第一段。\n  第二段。\n" in text
    back = load_text(text).data
    assert back == data and str(back["funds"]["spent"]) == "3000.00" and back["goals"]["indicators"][0]["target"] == "90"
