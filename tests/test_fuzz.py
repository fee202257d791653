"""Property-based tests: whatever a unit file holds, the pipeline either writes a .docx that python-docx
reopens and that contains the file's text, or raises a located perfreport error. Anything else fails.

Text is compared as docs/errors.md documents it: control characters removed, whitespace (line breaks,
indentation, spaces at the ends of lines) not compared.
"""
from __future__ import annotations

from decimal import Decimal

import docx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

import perfreport
from perfreport.api import prepare
from perfreport.errors import DataError, PerfReportError
from perfreport.read.source import INVALID_XML_CHARS, load_bytes, load_text

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WHOLE_FILE = {"PR002", "PR003", "PR012"}  # problems of the file as a whole: located by file only

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
name = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20).filter(
    lambda s: INVALID_XML_CHARS.sub("", s))  # a required text must keep a character once cleaned
amount = st.decimals(min_value=0, max_value=10**8, places=2)
junk = st.one_of(text, st.integers(), st.decimals(allow_nan=False, allow_infinity=False), st.none(), st.booleans(),
                 st.lists(st.integers(), max_size=2), st.dictionaries(name, text, max_size=2))
NARRATIVE = ["background", "fund_management", "other"]
ANALYSIS = ["overall", "output", "economic_benefit", "social_benefit", "satisfaction", "conclusion"]
PROBLEMS = ["management", "funds", "performance", "other"]


@st.composite
def valid_units(draw) -> dict:
    unit = {
        "unit": {"name": draw(name), "short_name": draw(name)},
        "year": draw(st.integers(2000, 2100)),
        "notice": {"title": draw(name), "doc_no": draw(name)},
        "funds": {"budget": draw(amount), "spent": draw(amount), "received": draw(amount)},
        "analysis": {key: draw(text) for key in ANALYSIS},
        "problems": {key: draw(text) for key in PROBLEMS},
        "functions": draw(st.dictionaries(name, name, max_size=3)),
        "improvements": draw(st.lists(name, max_size=3)),
        "attachments": draw(st.lists(name, max_size=3)),
        "disclosure": {"where": draw(name)},
        "projects": draw(st.lists(st.fixed_dictionaries({"name": name, "budget": amount, "spent": amount}),
                                  max_size=3)),
    }
    unit.update({key: draw(text) for key in NARRATIVE})
    return unit


@st.composite
def mutated_units(draw) -> dict:
    """A valid unit with one mistake: a value replaced by junk, a key removed, or an unknown key added."""
    unit = draw(valid_units())
    section = draw(st.sampled_from(["unit", "notice", "funds", "analysis", "problems", "disclosure"]))
    key = draw(st.sampled_from(sorted(unit[section])))
    change = draw(st.sampled_from(["junk", "remove", "unknown", "negative"]))
    if change == "junk":
        unit[section][key] = draw(junk)
    elif change == "remove":
        del unit[section][key]
    elif change == "unknown":
        unit[section][draw(name)] = draw(junk)
    else:
        unit["funds"][draw(st.sampled_from(["budget", "spent"]))] = -draw(amount) - 1
    return unit


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Decimal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float", f"{value:f}"))


def dump(unit: dict) -> str:
    return yaml.dump(unit, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=60)


def rendered_texts(unit: dict) -> list[str]:
    """The texts of ``unit`` that the standard report prints."""
    texts = [unit["unit"]["name"], unit["notice"]["title"], unit["notice"]["doc_no"], unit["disclosure"]["where"]]
    texts += [unit[key] for key in NARRATIVE] + list(unit["analysis"].values()) + list(unit["problems"].values())
    texts += [k + v for k, v in unit["functions"].items()] + unit["improvements"] + unit["attachments"]
    return texts


def comparable(value: str) -> str:
    """Text as compared: control characters removed, no whitespace."""
    return "".join(ch for ch in INVALID_XML_CHARS.sub("", value) if not ch.isspace())


def document_text(path) -> str:
    body = docx.Document(str(path)).element.body
    return "".join(node.text or "" for node in body.iter(docx.oxml.ns.qn("w:t")))


def assert_located(error: PerfReportError) -> None:
    assert error.problems
    for problem in error.problems:
        assert problem.message and problem.code.startswith("PR")
        if isinstance(error, DataError) and problem.code not in WHOLE_FILE:
            assert problem.location.line is not None, f"{problem.code} {problem} has no line"


def failure(yaml_text: str | bytes, out) -> PerfReportError | None:
    """Run load -> validate -> compute -> render; the perfreport error (checked) that stopped it, if any."""
    load = load_bytes if isinstance(yaml_text, bytes) else load_text
    try:
        perfreport.render(prepare(load(yaml_text, "fuzz.yaml")), out)
    except PerfReportError as error:
        assert_located(error)
        return error
    return None


def pipeline(yaml_text: str | bytes, out) -> bool:
    """``True`` when the unit rendered, ``False`` when a located perfreport error stopped it."""
    return failure(yaml_text, out) is None


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "fuzz.docx"


@FUZZ
@given(valid_units())
def test_valid_units_render_with_all_their_text(out, unit):
    assert pipeline(dump(unit), out)
    written = comparable(document_text(out))
    for value in rendered_texts(unit):
        assert comparable(value) in written, value


@FUZZ
@given(mutated_units())
def test_units_with_a_mistake_render_or_fail_located(out, unit):
    pipeline(dump(unit), out)


@FUZZ
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_any_text_as_a_unit_file_fails_located(out, raw):
    assert not pipeline(raw, out)  # no unit has fewer than its required keys


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["unit", "year", "funds", "budget", "name", "- ", "  ", "\t", "&a", "*a"]),
                          st.text(max_size=10), st.sampled_from([":", ": ", "- ", "\n", " ", "{", "[", '"', "'"])),
                max_size=30))
def test_yaml_shaped_noise_fails_located(out, parts):
    assert not pipeline("".join(a + b + c for a, b, c in parts), out)


@FUZZ
@given(st.binary(max_size=200))
def test_any_bytes_as_a_unit_file_fail_located(out, raw):
    assert not pipeline(raw, out)


@FUZZ
@given(valid_units(), st.sampled_from(["utf-8-sig", "utf-16", "gb18030", "big5", "latin-1"]))
def test_valid_units_in_any_encoding_render_or_are_refused_as_not_utf8(out, unit, encoding):
    """UTF-8 and UTF-16 with a BOM always render; other encodings render when their bytes read as UTF-8 or
    unambiguously as Chinese GB18030, and are otherwise refused as a whole file (PR002), never half read.
    A text the encoding cannot hold is written with "?" for what it lacks, which may break the YAML anywhere:
    then the unit renders or fails located."""
    text = dump(unit)
    try:
        raw, exact = text.encode(encoding), True
    except UnicodeEncodeError:
        raw, exact = text.encode(encoding, "replace"), False
    error = failure(raw, out)
    if exact and encoding in ("utf-8-sig", "utf-16"):
        assert error is None, error
    elif exact:
        assert error is None or [p.code for p in error.problems] == ["PR002"], error
