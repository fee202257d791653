from decimal import Decimal

import pytest

from perfreport.errors import DataError
from perfreport.read.source import load_text
from perfreport.checks.schema import complete, validate

from conftest import MINIMAL


def problems(text):
    with pytest.raises(DataError) as exc:
        validate(load_text(text, "u.yaml"))
    return exc.value.problems


def test_minimal_unit_is_valid_and_gets_defaults():
    unit = validate(load_text(MINIMAL))
    assert unit["unit"]["self_name"] == "我单位"
    assert unit["funds"]["spent"] == Decimal("62.5")


def test_all_errors_are_reported_at_once_in_line_order():
    found = problems("""\
unit: {name: a}
year: 20x
funds: {budget: 约20万, spent: 1, budjet: 3}
""")
    assert [p.code for p in found] == ["PR102", "PR103", "PR103", "PR101"]  # notice is optional (issue 14)
    lines = [p.location.line for p in found]
    assert lines == sorted(lines)


def test_type_error_message_is_for_a_clerk():
    text = MINIMAL + "projects:\n  - {name: a, budget: 1, spent: 1}\n  - {name: b, budget: 1, spent: 约20万}\n"
    (problem,) = problems(text)
    assert str(problem) == "u.yaml:12:33: [projects[2].spent] 执行数：应为数字，实际为“约20万”"


def test_unknown_key_suggests_the_nearest_known_one():
    (problem,) = problems(MINIMAL.replace("budget: 100", "budjet: 100\n  budget: 100"))
    assert problem.message == "未知字段 budjet，是否为 budget？"
    assert problem.location.path == ("funds", "budjet")


def test_missing_required_field_names_its_chinese_label():
    (problem,) = problems(MINIMAL.replace("  spent: 62.5\n", ""))
    assert problem.message == "缺少必填字段 spent（全年执行数）"
    assert problem.location.path == ("funds", "spent")


def test_allowed_values_are_listed():
    (problem,) = problems(MINIMAL + "settings: {money_unit: 千元}\n")
    assert "万元、元" in problem.message and "千元" in problem.message


def test_float_is_never_accepted_as_an_amount_only_exact_numbers():
    unit = validate(load_text(MINIMAL.replace("budget: 100", "budget: 100.10")))
    assert unit["funds"]["budget"] == Decimal("100.10")


def test_complete_fills_every_documented_key():
    unit = complete(validate(load_text(MINIMAL)))
    assert unit["analysis"]["output"] is None
    assert unit["projects"] == [] and unit["improvements"] == []
    assert unit["problems"] == {"management": None, "funds": None, "performance": None, "other": None}


def test_no_schema_key_is_shadowed_by_a_dict_method_in_templates():
    """Jinja looks up attributes before items: a key named like a dict method (items, keys, …)
    would give the method, not the data."""
    shadowed = set(dir(dict))

    def keys(schema):
        for key, rules in schema.items():
            yield key
            if rules.get("type") == "dict" and "schema" in rules:
                yield from keys(rules["schema"])
            items = rules.get("schema") if rules.get("type") == "list" else None
            if items and items.get("type") == "dict":
                yield from keys(items["schema"])

    from perfreport.schema import unit_schema
    assert not shadowed & set(keys(unit_schema()))


# --- the fast path agrees with Cerberus ------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from perfreport.schema import unit_schema  # noqa: E402
from perfreport.checks.schema import _UNSURE, _fast_unit, _validator  # noqa: E402


def agrees(data):
    fast = _fast_unit()(data)
    v = _validator()
    valid = v.validate(data)
    if fast is not _UNSURE:
        assert valid, v.errors
        assert fast == v.document
    return fast is not _UNSURE


def test_fast_path_takes_the_examples_and_agrees_with_cerberus():
    from conftest import EXAMPLES
    assert all(agrees(load_text(p.read_text(encoding="utf-8")).data) for p in EXAMPLES)


values = st.one_of(st.none(), st.booleans(), st.integers(-5, 200), st.decimals(-5, 200, places=2),
                   st.text(max_size=3), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))


def mostly(valid):
    """Usually a valid value, sometimes junk: the fast path must then agree with Cerberus on both."""
    return st.sampled_from([valid] * 6 + [values]).flatmap(lambda strategy: strategy)


words = st.sampled_from(["产出指标", "好", "a", "≥"])
numbers = st.one_of(st.integers(0, 200), st.decimals(0, 200, places=2))
indicators = st.fixed_dictionaries(
    {"level1": mostly(words), "level2": mostly(words), "name": mostly(words), "target": mostly(numbers | words)},
    optional={"nature": mostly(st.sampled_from(["≥", "≤", "=", "定性", "x"])), "actual": mostly(numbers | words),
              "weight": mostly(numbers), "applicable": mostly(st.booleans()), "score": mostly(numbers),
              "unit": mostly(words), "bogus": values})
projects = st.fixed_dictionaries(
    {"name": mostly(words), "budget": mostly(numbers), "spent": mostly(numbers)},
    optional={"score": mostly(numbers), "grade": mostly(st.sampled_from(["优", "良", "中", "差", "x"])),
              "assessed": mostly(st.booleans()), "purpose": mostly(words), "initial_budget": mostly(numbers),
              "indicators": mostly(st.lists(indicators, max_size=3)), "bogus": values})


@settings(max_examples=150, deadline=None)
@given(st.lists(projects, max_size=3),
       st.dictionaries(st.sampled_from(["money_unit", "money_decimals", "percent_decimals", "x"]), values, max_size=3))
def test_fast_path_never_accepts_what_cerberus_refuses(projects, settings_):
    data = load_text(MINIMAL).data
    data["projects"] = projects
    data["settings"] = settings_
    agrees(data)


@pytest.mark.parametrize("written, hint", [
    ("3336.96万元", "请写成 3336.96（不带单位“万元”）"),
    ('"1,234.5"', "请写成 1234.5（不带千位分隔符“,”）"),
    ("３３３６", "请写成 3336（用半角数字）"),
    ("３,３３６．５万元", "请写成 3336.5（用半角数字，不带单位“万元”，不带千位分隔符“,”）"),
    ("33369600元", "请写成 3336.96（不带单位“元”，本文件金额单位为万元）"),
])
def test_a_number_written_as_text_gets_what_to_write(written, hint):
    (problem,) = problems(MINIMAL.replace("budget: 100", f"budget: {written}"))
    assert problem.code == "PR103" and problem.location.path == ("funds", "budget")
    assert problem.message.startswith("全年预算数（下达指标）：应为数字，实际为“")
    assert problem.message.endswith(hint)


def test_wan_written_where_the_unit_is_yuan_is_converted_in_the_hint():
    (problem,) = problems(MINIMAL.replace("budget: 100", "budget: 3336.96万") + "settings: {money_unit: 元}\n")
    assert problem.message.endswith("请写成 33369600（不带单位“万”，本文件金额单位为元）")


def test_text_that_is_no_number_gets_no_guess():
    (problem,) = problems(MINIMAL.replace("budget: 100", "budget: 约20万"))
    assert problem.message == "全年预算数（下达指标）：应为数字，实际为“约20万”"


def test_a_whole_number_field_gets_its_hint_too():
    (problem,) = problems(MINIMAL.replace("year: 2023", "year: 2023年"))
    assert problem.message.endswith("请写成 2023（不带单位“年”）")


def test_a_number_where_text_is_expected_is_told_to_quote_it():
    (problem,) = problems(MINIMAL + "other: 2023.10\n")
    assert problem.message.endswith('如果这是文字，请加引号："2023.10"')


def test_negative_amounts_are_refused_with_their_own_code():
    found = problems(MINIMAL.replace("spent: 62.5", "spent: -62.5") + "projects:\n  - {name: a, budget: -1, spent: 0}\n")
    assert [(p.code, p.location.path) for p in found] == [
        ("PR107", ("funds", "spent")), ("PR107", ("projects", 0, "budget"))]
    assert found[0].message == "全年执行数：不能为负数，实际为 -62.5"


# --- what clerks type (issue 14) ---------------------------------------------------------------------

def test_a_typed_rate_points_to_the_stated_figure():
    found = problems(MINIMAL + "  execution_rate: 93.43\nprojects:\n  - {name: a, budget: 4.68, spent: 4.21, execution_rate: 90.07}\n")
    messages = {p.location.path: p.message for p in found}
    assert "预算执行率由 perfreport 按数据计算" in messages["funds", "execution_rate"]
    assert "stated.execution_rate（写数值，不带%）" in messages["funds", "execution_rate"]
    assert "projects[1].stated.execution_rate" in messages["projects", 0, "execution_rate"]
    assert {p.code for p in found} == {"PR101"}


def test_a_percent_sign_gets_the_plain_number():
    found = problems(MINIMAL + "stated: {execution_rate: 93.43%}\nprojects:\n  - {name: a, budget: 1, spent: 1, stated: {execution_rate: 90.07%}}\n")
    assert [p.message.split("；")[-1] for p in found] == ["请写成 93.43（不带“%”）", "请写成 90.07（不带“%”）"]


def test_a_full_width_colon_is_located_on_its_own_line():
    text = MINIMAL.replace("  budget: 100", "  budget： 100") + "\n\nbackground: 背景\n"
    with pytest.raises(DataError) as exc:
        load_text(text, "u.yaml")
    problem = exc.value.problems[0]
    assert (problem.code, problem.location.line, problem.location.column) == ("PR004", 8, 3)
    assert "“budget”后面是全角冒号“：”" in problem.message
    found = problems(MINIMAL.replace("title: 测试县", "title： 测试县"))  # read as text: a mapping was expected
    assert "全角冒号" in found[0].message and found[0].location.line == 6


def test_budget_and_notice_are_optional():
    unit = complete(validate(load_text(MINIMAL.replace("  budget: 100\n", "").split("notice:")[0]
                                       + "funds:\n  spent: 62.5\n")))
    assert unit["funds"]["budget"] is None and unit["notice"]["title"] is None
