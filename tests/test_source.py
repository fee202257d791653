import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings, strategies as st

from perfreport.read import source as source_module
from perfreport.errors import DataError
from perfreport.read.source import load_bytes, load_file, load_text

from conftest import TAGGED

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def codes(excinfo):
    return [p.code for p in excinfo.value.problems]


def test_numbers_with_a_point_are_decimals_from_their_text():
    source = load_text("a: 22.545\nb: 3\nc: 6024.595024\n")
    assert source.data == {"a": Decimal("22.545"), "b": 3, "c": Decimal("6024.595024")}
    assert isinstance(source.data["a"], Decimal) and isinstance(source.data["b"], int)


def test_every_value_keeps_its_line_and_column():
    source = load_text("unit:\n  name: 树人镇\nprojects:\n  - name: a\n    budget: 1.5\n", "u.yaml")
    assert source.positions[("unit", "name")] == (2, 9)
    assert source.positions[("projects", 0, "budget")] == (5, 13)
    loc = source.locate(("projects", 0, "missing"))
    assert (loc.file, loc.line, loc.column) == ("u.yaml", 4, 5)


def test_duplicate_keys_are_errors_with_both_lines():
    with pytest.raises(DataError) as exc:
        load_text("year: 2023\nyear: 2024\n", "u.yaml")
    problem = exc.value.problems[0]
    assert problem.code == "PR008" and problem.location.line == 2 and "第 1 行" in problem.message


def test_utf8_bom_is_read():
    assert load_bytes("\ufeffyear: 2023\n".encode("utf-8")).data == {"year": 2023}


GBK_TEXT = "unit:\n  name: 丰都县树人镇人民政府\n  short_name: 树人镇\nbackground: 我镇认真落实文件要求，安排经费“防火”。\n"


def test_chinese_gbk_file_is_read_with_a_warning_to_save_as_utf8():
    for encoding in ("gbk", "gb18030"):
        source = load_bytes(GBK_TEXT.encode(encoding), "u.yaml")
        assert source.data["unit"]["name"] == "丰都县树人镇人民政府"
        assert [w.code for w in source.warnings] == ["PR013"] and "UTF-8" in source.warnings[0].message


@pytest.mark.parametrize("encoding", ["big5", "shift_jis", "euc_jp"])
def test_other_legacy_encodings_are_refused_with_how_to_fix(encoding):
    text = {"big5": "unit:\n  name: 豐都縣樹人鎮人民政府\nbackground: 我鎮認真落實文件要求，安排經費。\n"}.get(
        encoding, "name: 東京都の予算について、ひらがなとカタカナ。\n")
    with pytest.raises(DataError) as exc:
        load_bytes(text.encode(encoding), "u.yaml")
    assert codes(exc) == ["PR002"] and "另存为" in exc.value.problems[0].message


def test_line_of_the_first_undecodable_byte_is_given():
    with pytest.raises(DataError) as exc:
        load_bytes(b"year: 2023\nname: \xff\xfe\xfd\n")
    assert exc.value.problems[0].location.line == 2


def test_utf16_with_bom_is_read_and_nul_bytes_without_bom_are_refused():
    assert load_bytes("year: 2023\nname: 树人镇\n".encode("utf-16")).data == {"year": 2023, "name": "树人镇"}
    with pytest.raises(DataError) as exc:
        load_bytes("year: 2023\n".encode("utf-16-le"))
    assert codes(exc) == ["PR002"]


def test_empty_file_read_from_disk_is_refused(tmp_path):
    (tmp_path / "empty.yaml").write_bytes(b"")
    with pytest.raises(DataError) as exc:
        load_file(tmp_path / "empty.yaml")
    assert codes(exc) == ["PR003"]


def test_unclosed_quote_points_at_the_quote_and_says_so_in_chinese():
    with pytest.raises(DataError) as exc:
        load_text('year: 2023\ntitle: "报告\nother: x\n', "u.yaml")
    problem = exc.value.problems[0]
    assert (problem.code, problem.location.line, problem.location.column) == ("PR004", 2, 8)
    assert "引号没有闭合" in problem.message and 'title: "报告' in problem.message


def test_bad_indentation_is_explained_and_shown():
    with pytest.raises(DataError) as exc:
        load_text("unit:\n  name: a\n short: b\n")
    assert "缩进不一致" in exc.value.problems[0].message and " short: b" in exc.value.problems[0].message


def test_empty_file_and_non_mapping_are_refused():
    for text in ("", "   \n", "# only a comment\n"):
        with pytest.raises(DataError) as exc:
            load_text(text)
        assert codes(exc) == ["PR003"]
    for text in ("- a\n- b\n", "just text\n"):
        with pytest.raises(DataError) as exc:
            load_text(text)
        assert codes(exc) == ["PR005"]


def test_aliases_are_refused_so_billion_laughs_costs_nothing():
    lol = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9))
    with pytest.raises(DataError) as exc:
        load_text(lol)
    assert set(codes(exc)) == {"PR006"}


def test_syntax_error_has_line_column_and_shows_the_line():
    with pytest.raises(DataError) as exc:
        load_text("unit:\n  name: a\n   bad: b\n", "u.yaml")
    problem = exc.value.problems[0]
    assert problem.code == "PR004" and problem.location.line == 3
    assert "bad: b" in problem.message


def test_tab_indentation_is_explained():
    with pytest.raises(DataError) as exc:
        load_text("unit:\n\tname: a\n")
    assert "Tab" in exc.value.problems[0].message


def test_control_characters_are_removed_with_a_located_warning():
    source = load_text('text: "a\\x0bb\\x0cc"\n', "u.yaml")
    assert source.data["text"] == "abc"
    assert [w.code for w in source.warnings] == ["PR011"] and source.warnings[0].location.line == 1


def test_invalid_numbers_are_located():
    with pytest.raises(DataError) as exc:
        load_text("a: .inf\nb: .nan\n")
    assert [p.location.line for p in exc.value.problems] == [1, 2]


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataError) as exc:
        load_file(tmp_path / "nope.yaml")
    assert codes(exc) == ["PR001"]
    with pytest.raises(DataError) as exc:
        load_file(tmp_path)
    assert codes(exc) == ["PR001"]


def test_numbers_are_decimal_and_yaml11_only_forms_stay_text():
    data = load_text("a: 010\nb: 0x1F\nc: 1:30\nd: yes\ne: Off\nf: true\ng: 1_000\nh: 1:30.5\ni: -007\n").data
    assert data == {"a": 10, "b": "0x1F", "c": "1:30", "d": "yes", "e": "Off", "f": True, "g": 1000,
                    "h": "1:30.5", "i": -7}


def test_raw_control_characters_are_removed_with_line_and_column():
    source = load_text("year: 2023\nname: 树\x0b人\x0c镇\x7f\n\x01key: v\n", "u.yaml")
    assert source.data == {"year": 2023, "name": "树人镇", "key": "v"}
    assert [(w.code, w.level, w.location.line, w.location.column, w.location.path) for w in source.warnings] == [
        ("PR011", "warning", 2, 8, ("name",)), ("PR011", "warning", 3, 1, ())]


def test_warnings_are_in_line_order():
    source = load_text('a: "x\\x0by"\nb: x\x0cy\n')
    assert [(w.location.line, w.location.path) for w in source.warnings] == [(1, ("a",)), (2, ("b",))]


def test_escaped_control_characters_in_keys_are_removed_too():
    source = load_text('"of\\x0bfice": v\n')
    assert source.data == {"office": "v"} and [w.code for w in source.warnings] == ["PR011"]


def test_too_large_a_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * 2000 + b"\n")
    monkeypatch.setattr(source_module, "MAX_BYTES", 1000)
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("read before the size check"))
    with pytest.raises(DataError) as exc:
        load_file(path)
    assert codes(exc) == ["PR012"] and "MB" in exc.value.problems[0].message
    with pytest.raises(DataError) as exc:
        load_text("a: " + "x" * 2000)
    assert codes(exc) == ["PR012"]


def test_the_real_limit_refuses_a_50_mb_file(tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(DataError) as exc:
        load_file(path)
    assert codes(exc) == ["PR012"] and "50.0 MB" in exc.value.problems[0].message


@pytest.mark.parametrize("depth", [25, 100_000])
def test_deep_nesting_is_refused_with_its_line_not_a_crash(depth):
    with pytest.raises(DataError) as exc:
        load_text("year: 2023\na: " + "[" * depth + "]" * depth + "\n")
    assert codes(exc) == ["PR014"] and exc.value.problems[0].location.line == 2


def test_the_parsers_own_nesting_limit_is_answered_as_ours(monkeypatch):
    """Whichever limit fires first (ours at MAX_DEPTH events, or libyaml's scanner reading ahead, as in
    PyYAML 6.0.4), the clerk gets the same located Chinese PR014, never libyaml's English words."""
    def parse_too_deep(*args, **kwargs):
        raise yaml.scanner.ScannerError("while increasing flow level", yaml.Mark("unit", 0, 1, 3, None, None),
                                        "exceeded maximum nesting depth", yaml.Mark("unit", 0, 1, 1002, None, None))
    monkeypatch.setattr(source_module._EventReader, "read", parse_too_deep)
    with pytest.raises(DataError) as exc:
        load_text("year: 2023\na: [[1]]\n")
    problem = exc.value.problems[0]
    assert codes(exc) == ["PR014"] and (problem.location.line, problem.location.column) == (2, 1003)
    assert "nesting" not in problem.message and "嵌套层次过深" in problem.message


def test_schema_depth_nesting_is_accepted():
    assert load_text("a: [[[[[[1]]]]]]\n").data == {"a": [[[[[[1]]]]]]}


def test_too_many_values_are_refused_before_they_are_built(monkeypatch):
    monkeypatch.setattr(source_module, "MAX_VALUES", 11)
    assert load_text("a: [1, 2, 3, 4]\nb: [5, 6]\n").data == {"a": [1, 2, 3, 4], "b": [5, 6]}  # 11: the mapping, 2 keys, 2 lists, 6 items
    with pytest.raises(DataError) as exc:
        load_text("a: [1, 2, 3, 4]\nb: [5, 6, 7]\n")
    assert codes(exc) == ["PR015"] and exc.value.problems[0].location.line == 2


@pytest.mark.parametrize("text, code", [
    ("a: {x: 1}\nb:\n  <<: {x: 1}\n", "PR006"),
    ("? [a, b]\n: c\n", "PR007"),
    ("a: !!python/object:os.system x\n", "PR010"),
    ("a: " + "9" * 5000 + "\n", "PR009"),
])
def test_unsupported_yaml_is_refused_located(text, code):
    with pytest.raises(DataError) as exc:
        load_text(text)
    assert codes(exc) == [code] and exc.value.problems[0].location.line is not None


@pytest.mark.parametrize("value", TAGGED)
def test_tagged_values_read_as_a_value_or_a_located_chinese_problem(value):
    expected = TAGGED[value]
    if not (isinstance(expected, str) and re.fullmatch("PR[0-9]{3}", expected)):
        assert load_text(f"x: {value}\n").data == {"x": expected}
        return
    with pytest.raises(DataError) as exc:
        load_text(f"x: {value}\n", "u.yaml")
    problem = exc.value.problems[0]
    assert codes(exc) == [expected] and (problem.location.line, problem.location.path) == (1, ("x",))
    assert re.search("[\u4e00-\u9fff]", problem.message) and not re.search("tag:yaml|[a-z]+ [a-z]+ [a-z]+", problem.message)


@pytest.mark.parametrize("text, message", [
    ("x: !!timestamp 010\n", "“010”不是有效的日期（应写作如 2024-03-05）"),
    ("x: !!timestamp 2023-02-30\n", "“2023-02-30”不是有效的日期（应写作如 2024-03-05）"),
    ("x: !!binary aGVsbG8=\n", "不支持的 YAML 标签 !!binary"),
    ("x: !!set {a}\n", "不支持的 YAML 标签 !!set"),
    ("x: !!null x\n", "“x”不是空值，不能标为 !!null"),
    ("%TAG !! tag:yaml.org,2002:python/\n---\nx: !!str a\n", "不支持的 YAML 标签 !!python/str"),
    ("%TAG ! tag:yaml.org,2002:\n---\nx: !timestamp 010\n", "“010”不是有效的日期（应写作如 2024-03-05）"),
])
def test_tag_problems_say_what_was_written(text, message):
    with pytest.raises(DataError) as exc:
        load_text(text)
    assert [p.message for p in exc.value.problems] == [message]


# --- the event reader (plain files) agrees with the node reader (every file) ---------------------

TRAPS = ["010", "0x1F", "1:30", "1:30.5", "yes", "Off", "ON", "true", "False", "~", "null", "", "1_000", "-007",
         ".inf", "-.Inf", ".nan", "1e3", "6.8523015e+5", "22.545", "+12", "0o17", "0b101", "2024-03-05",
         "2023-02-30", "2001-12-14t21:59:43.10-05:00", "<<", "=", "树人镇", "a b", "- x", "#", "9" * 5000,
         "nan", "inf", "0x", "aGVsbG8=", "99999-01-01", "2024-1-1", "2024-01-01T25:00:00", "0000-01-01"]
KEYS = ["name", "budget", "spent", "<<", "yes", "010", "1:30", '"k\\x0b"', "'k'", "!!binary aGk=", "!!python/str k",
        "!!int 1", "!!timestamp 010"]
TAGS = ["!!str ", "!!int ", "! ", "!custom ", "!!timestamp ", "!!binary ", "!!float ", "!!bool ", "!!null ", "!!set ",
        "!!omap ", "!!map ", "!!seq ", "!!python/object:os.system ", "!<tag:yaml.org,2002:timestamp> "]
COLLECTIONS = ["[1, x]", "{k: 1.5}", "!!set {a, b}", "!!omap [a: 1]", "!!pairs [a: 1]", "!!python/tuple [1]", "!!str [1]",
               "!!seq {a: 1}", "!!map {a: 1}", "{<<: {a: 1}}", "[!!binary aGk=]"]
ESCAPES = ["\\x0b", "\\t", "\\u00e9", "\\x85", "\\0"]


@st.composite
def yaml_scalars(draw) -> str:
    text = draw(st.one_of(st.sampled_from(TRAPS), st.text("ab1.:-_ 树", max_size=6)))
    style = draw(st.sampled_from(["plain"] * 12 + ["single"] * 3 + ["double"] * 3 + ["tagged", "anchored"]))
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "double":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + draw(st.sampled_from(ESCAPES + [""])) + '"'
    if style == "tagged":
        return draw(st.sampled_from(TAGS)) + text
    if style == "anchored":
        return "&a " + text
    return text


@st.composite
def yaml_texts(draw, depth: int = 0) -> str:
    """Block mappings and lists of YAML 1.1 traps, with the odd anchor, alias, tag, merge or duplicate key."""
    indent = "  " * depth
    lines = []
    as_list = depth and draw(st.booleans())
    for _ in range(draw(st.integers(0 if depth else 1, 4))):
        key = draw(st.sampled_from(KEYS) | st.text("ab树", min_size=1, max_size=4))
        head = indent + ("- " if as_list else key + ": ")
        if depth < 3 and draw(st.integers(0, 3)) == 0:
            lines.append(head.rstrip() + "\n" + draw(yaml_texts(depth + 1)))
        else:
            lines.append(head + draw(st.sampled_from([yaml_scalars()] * 20 + [st.sampled_from(["*a"] + COLLECTIONS)] * 3).flatmap(lambda s: s)) + "\n")
    return "".join(lines)


def outcome(text: str):
    """What load_text gives: data, positions and warnings, or the located problems it raises (any other
    exception fails the test)."""
    try:
        source = load_text(text, "u.yaml")
    except DataError as exc:
        assert all(p.location.line is not None for p in exc.problems if p.code != "PR003"), exc
        return [(p.code, p.message, p.location) for p in exc.problems]
    return source.data, list(source.positions.items()), [(w.code, w.message, w.location) for w in source.warnings]


def node_reader_outcome(text: str, monkeypatch) -> object:
    with monkeypatch.context() as patch:
        patch.setattr(source_module._EventReader, "read", lambda self: None)
        return outcome(text)


LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


@pytest.mark.parametrize("loader", LOADERS)  # libyaml's, and PyYAML's own where libyaml is missing
@settings(max_examples=200, deadline=None)
@given(text=yaml_texts())
@example(text="name: !!timestamp 010\n")  # PyYAML's constructor raised AttributeError (issue 17)
@example(text="a: !!set {x}\nb: !!binary aGk=\n")
def test_event_reader_gives_what_the_node_reader_gives(loader, text):
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(source_module, "_Loader", loader)
        assert outcome(text) == node_reader_outcome(text, monkeypatch)


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_event_reader_reads_the_examples_as_the_node_reader(name, loader, monkeypatch):
    monkeypatch.setattr(source_module, "_Loader", loader)
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    assert source_module._EventReader(text, name).read() is not None  # the fast path is taken
    assert outcome(text) == node_reader_outcome(text, monkeypatch)


def test_event_reader_leaves_anything_unusual_to_the_node_reader():
    for text in ("a: &x 1\nb: *x\n", "a: !!str 1\n", "<<: {a: 1}\n", "a: 1\na: 2\n", "? [a]\n: 1\n", "- a\n",
                 "a: 1\n---\nb: 2\n", "a: .inf\n", ""):
        assert source_module._EventReader(text, None).read() is None, text


def test_a_comment_inside_a_block_of_text_is_warned_about():
    text = ("year: 2023\nimplementation: |\n  第一段。\n  # 这是注释吗\n  第二段。      # 行尾注释\nother: 无。  # 真注释\n"
            "fund_management: >\n  管理。\n")
    found = [(w.code, w.location.line, w.location.column, w.location.path) for w in load_text(text, "u.yaml").warnings]
    assert found == [("PR016", 4, 3, ("implementation",)), ("PR016", 5, 13, ("implementation",))]
    assert load_text("other: |\n  C# 语言培训 3 次\n  第#2 项\n").warnings == []


def test_a_full_width_colon_far_above_the_error_is_found_and_one_inside_a_block_warned_about():
    text = "unit:\n  name: 甲\n  budget： 100\n\n  # 说明\n\n\n\n\n\n  spent: 90\n"
    with pytest.raises(DataError) as exc:
        load_text(text, "u.yaml")
    assert (exc.value.problems[0].location.line, exc.value.problems[0].location.column) == (3, 3)
    found = load_text("background: |\n  文字\n  fund_management： 管理\n  GDP：增长 5%\n", "u.yaml").warnings
    assert [(w.code, w.location.line, w.location.column) for w in found] == [("PR017", 3, 3)]
