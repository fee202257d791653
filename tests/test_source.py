from decimal import Decimal

import pytest

from perfreport.errors import DataError
from perfreport.source import load_bytes, load_file, load_text


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


def test_gbk_file_is_refused_with_how_to_fix():
    with pytest.raises(DataError) as exc:
        load_bytes("名称: 树人镇\n".encode("gbk"))
    assert codes(exc) == ["PR002"] and "UTF-8" in exc.value.problems[0].message


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
