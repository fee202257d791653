"""Check a loaded unit against the schema; report every error at once, located, in Chinese."""
from __future__ import annotations

import datetime
import difflib
import json
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

from ..errors import DataError, Problem, format_path
from ..i18n import _
from ..schema import PLAIN_NUMBER, TYPE_NAMES_WRITTEN, field_label, known_keys, unit_schema
from ..read.source import Source


@lru_cache(maxsize=1)
def _validator_class():
    """Cerberus's validator with perfreport's types. Cerberus is imported only when the fast path below
    is unsure: importing it costs about 10 ms (it looks up its own version in the installed packages'
    metadata), and a valid unit file never needs it."""
    import cerberus

    class Validator(cerberus.Validator):
        types_mapping = dict(cerberus.Validator.types_mapping)
        # a number read exactly: int or Decimal (never bool, never float)
        types_mapping["decimal"] = cerberus.TypeDefinition("decimal", (int, Decimal), (bool,))

    return Validator


def _Validator(schema: dict):
    """A Cerberus validator for ``schema`` (see :func:`_validator_class`)."""
    return _validator_class()(schema)


@lru_cache(maxsize=1)
def _validator():
    return _Validator(unit_schema())


def _extra_key(extra: dict | None) -> str | None:
    """A hashable stand-in for a format's own data keys (None: none)."""
    return json.dumps(extra, sort_keys=True, ensure_ascii=False, default=str) if extra else None


@lru_cache(maxsize=16)
def _extended(key: str) -> tuple:
    """The unit schema with a format's own data keys, its fast check, its validator and its completer."""
    schema = dict(unit_schema(), **json.loads(key))
    return schema, _document_check(schema), _Validator(schema), _completer(schema)


def validate(source: Source, extra: dict | None = None) -> dict:
    """Return the unit data normalised (defaults filled in); raise :class:`DataError` listing every problem.

    ``extra``: the data keys a report format declares (``name`` → schema rules), valid besides the built-in ones.
    """
    key = _extra_key(extra)
    fast = (_fast_unit() if key is None else _extended(key)[1])(source.data)
    if fast is not _UNSURE:
        return fast
    v = _validator() if key is None else _extended(key)[2]
    if v.validate(source.data):
        return v.document
    problems = [_problem(error, source, v.schema) for error in _leaf_errors(v._errors)]
    problems.sort(key=lambda p: (p.location.line or 0, p.location.column or 0))
    raise DataError(problems)


# --- a fast path for valid documents ------------------------------------------------------------
# Cerberus costs about 3 ms per project. A valid unit (the common case, and every unit of a large
# batch) is checked here in plain Python against the same schema, with Cerberus's defaults applied.
# Anything this does not fully understand, and any error at all, answers _UNSURE: then Cerberus runs
# and its errors become the messages, so the messages are exactly those of the schema.

_UNSURE = object()
_KNOWN_RULES = {"type", "required", "empty", "allowed", "min", "max", "default", "schema", "meta",
                "keysrules", "valuesrules"}
_TYPES = {  # type -> the classes it accepts, and whether it accepts a bool (a bool is an int)
    "string": ((str,), False),
    "integer": ((int,), True),
    "decimal": ((int, Decimal), False),
    "boolean": ((bool,), True),
    "date": ((datetime.date,), False),
    "dict": ((dict,), False),
    "list": ((list,), False),
}


@lru_cache(maxsize=1)
def _fast_unit():
    """The unit schema compiled once into a function: unit data -> data normalised as Cerberus would
    normalise it, or ``_UNSURE`` (let Cerberus decide and explain)."""
    return _document_check(unit_schema())


def _unsure(_value):
    return _UNSURE


def _document_check(schema: dict):
    """A function: a mapping -> the mapping with defaults filled in, or ``_UNSURE``."""
    fields = {key: _value_check(rules) for key, rules in schema.items()}
    plain = {key: _plain_classes(rules) for key, rules in schema.items()}
    defaults = {key: rules["default"] for key, rules in schema.items() if "default" in rules}
    required = [key for key, rules in schema.items() if rules.get("required") and key not in defaults]
    absent = [(key, default) for key, default in defaults.items()]

    def check(document):
        if not isinstance(document, dict) or not document.keys() <= fields.keys():
            return _UNSURE
        out = {}
        for key, value in document.items():
            if value is None:
                if key not in defaults:
                    return _UNSURE  # a null value: an error
                out[key] = defaults[key]
                continue
            if value.__class__ in plain[key] and (value or value.__class__ is not str):  # valid as it is
                out[key] = value
                continue
            value = fields[key](value)
            if value is _UNSURE:
                return _UNSURE
            out[key] = value
        for key in required:
            if key not in document:
                return _UNSURE  # a missing required field: an error
        for key, default in absent:
            if key not in document:
                out[key] = default
        return out

    return check


_PLAIN_RULES = {"type", "required", "empty", "default", "meta"}


def _plain_classes(rules: dict) -> frozenset:
    """The classes of the values that are valid under ``rules`` as they are, whatever they hold (any number,
    date or yes/no; any text but an empty one, which the caller leaves to the check): ``rules`` that only
    say a type, not a range or choices. Exact classes, not subclasses (a datetime where a date is expected
    goes to the check); empty when the check must decide."""
    if not isinstance(rules, dict) or not rules.keys() <= _PLAIN_RULES or "type" not in rules:
        return frozenset()
    kinds = rules["type"] if isinstance(rules["type"], list) else [rules["type"]]
    if any(k not in _TYPES or k in ("dict", "list") for k in kinds):
        return frozenset()
    classes = {c for k in kinds for c in _TYPES[k][0]}
    if any(_TYPES[k][1] for k in kinds) and (int in classes or bool in classes):
        classes.add(bool)
    else:
        classes.discard(bool)
    return frozenset(classes)


def _value_check(rules: dict):
    """A function: a value -> the value normalised under ``rules``, or ``_UNSURE``."""
    if not isinstance(rules, dict) or not rules.keys() <= _KNOWN_RULES:
        return _unsure
    kinds = rules.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(k not in _TYPES for k in kinds):
            return _unsure
        classes = tuple(c for k in kinds for c in _TYPES[k][0])
        bools = any(_TYPES[k][1] for k in kinds)
    nonempty = rules.get("empty") is False
    allowed = rules.get("allowed", _UNSURE)
    low, high = rules.get("min", _UNSURE), rules.get("max", _UNSURE)
    document = items = keys = values = None
    if "schema" in rules and (kinds is None or "dict" in kinds):
        document = _document_check(rules["schema"])
    if "schema" in rules and (kinds is None or "list" in kinds):
        items = _value_check(rules["schema"])
    if "keysrules" in rules or "valuesrules" in rules:
        keys, values = _value_check(rules.get("keysrules", {})), _value_check(rules.get("valuesrules", {}))

    def check(value):
        if kinds is not None and not (isinstance(value, classes) and (bools or not isinstance(value, bool))):
            return _UNSURE
        if nonempty and isinstance(value, (str, list, dict)) and not value:
            return _UNSURE
        if allowed is not _UNSURE and value not in allowed:
            return _UNSURE
        if low is not _UNSURE and not value >= low or high is not _UNSURE and not value <= high:
            return _UNSURE
        if isinstance(value, dict):
            if document is not None:
                return document(value)
            if keys is not None:
                out = {}
                for key, item in value.items():
                    if keys(key) is _UNSURE:
                        return _UNSURE
                    item = values(item)
                    if item is _UNSURE:
                        return _UNSURE
                    out[key] = item
                return out
            return value
        if items is not None and isinstance(value, list):
            out = []
            for item in value:
                item = items(item)
                if item is _UNSURE:
                    return _UNSURE
                out.append(item)
            return out
        return value

    return check


def _leaf_errors(errors):
    for error in errors:
        if error.is_group_error and error.child_errors:
            yield from _leaf_errors(error.child_errors)
        else:
            yield error


def _shown(value) -> str:
    if isinstance(value, dict):
        return _("映射")
    if isinstance(value, list):
        return _("列表")
    if value is None:
        return _("空值")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _problem(error, source: Source, schema=None) -> Problem:
    path = tuple(error.document_path)
    rule, constraint, value = error.rule, error.constraint, error.value
    field = path[-1] if path else ""
    label = field_label(path, schema)
    named = label or format_path(path)
    from cerberus.errors import UNKNOWN_FIELD

    if error.code == UNKNOWN_FIELD.code:
        close = difflib.get_close_matches(str(field), known_keys(path[:-1], schema), n=1, cutoff=0.6)
        message = (_("未知字段 {field}，是否为 {suggestion}？").format(field=field, suggestion=close[0]) if close
                   else _("未知字段 {field}").format(field=field))
        return Problem("PR101", message + _stated_hint(path, schema), source.locate(path))
    if rule == "required":
        return Problem("PR102", _("缺少必填字段 {key}（{label}）").format(key=field, label=label) if label else _("缺少必填字段 {key}").format(key=field), source.locate(path))
    if rule == "type":
        kinds = constraint if isinstance(constraint, list) else [constraint]
        expected = _("或").join(_(TYPE_NAMES_WRITTEN.get(k, k)) for k in kinds)
        message = _("{field}：应为{expected}，实际为“{actual}”").format(
            field=named, expected=expected, actual=_shown(value))
        return Problem("PR103", message + _type_hint(kinds, value, source), source.locate(path))
    if rule == "nullable":
        return Problem("PR104", _("{field}：不能为空").format(field=named), source.locate(path))
    if rule == "empty":
        return Problem("PR104", _("{field}：不能为空").format(field=named), source.locate(path))
    if rule == "allowed":
        return Problem("PR105", _("{field}：应为 {choices} 之一，实际为“{actual}”").format(
            field=named, choices="、".join(map(str, constraint)), actual=_shown(value)), source.locate(path))
    if rule == "min" and constraint == 0:
        return Problem("PR107", _("{field}：不能为负数，实际为 {actual}").format(
            field=named, actual=_shown(value)), source.locate(path))
    if rule == "min":
        return Problem("PR106", _("{field}：不能小于 {limit}，实际为 {actual}").format(
            field=named, limit=constraint, actual=_shown(value)), source.locate(path))
    if rule == "max":
        return Problem("PR106", _("{field}：不能大于 {limit}，实际为 {actual}").format(
            field=named, limit=constraint, actual=_shown(value)), source.locate(path))
    return Problem("PR199", _("{field}：不符合规则 {rule}（{constraint}）").format(
        field=named, rule=rule, constraint=constraint), source.locate(path))


_SUFFIXES = ("万元", "元", "万", "年", "个", "分", "%")


def _type_hint(kinds: list, value, source: Source) -> str:
    """What to write instead, computed from the offending value (empty when there is nothing to say).

    A number written as text (``3336.96万元``, ``1,234.5``, ``３３３６``) gets the
    plain number to write; a number or date where text is expected gets the quotes.
    """
    if isinstance(value, str) and ("decimal" in kinds or "integer" in kinds):
        return _number_hint(value, "integer" not in kinds, (source.data.get("settings") or {}).get("money_unit"))
    if "string" in kinds and isinstance(value, (int, Decimal, datetime.date)) and not isinstance(value, bool):
        return _("；如果这是文字，请加引号：\"{text}\"").format(text=_shown(value))
    if isinstance(value, str) and re.search(r"(^|\s)[A-Za-z_][A-Za-z0-9_]*\s*：", value):
        return _("；其中的“：”是全角冒号，字段名后请用半角冒号加空格“: ”")
    return ""


def _stated_hint(path: tuple, schema=None) -> str:
    """For a derived figure typed where data goes (``execution_rate: 93.43%``): it is computed, and where the
    figure a clerk was given can be written to be checked (``stated.execution_rate``)."""
    field, parent = path[-1], path[:-1]
    if "stated" in parent:
        return ""
    where = ("projects", parent[1], "stated") if parent[:1] == ("projects",) and len(parent) == 2 else ("stated",)
    rules = {"schema": unit_schema() if schema is None else schema}
    for part in where:
        rules = rules.get("schema", {}).get(part, {}) if not isinstance(part, int) else rules.get("schema", {})
    if field not in rules.get("schema", {}):
        return ""
    return _("；{label}由 perfreport 按数据计算，不必填写；要与手中的数字核对，请写在 {path}（写数值，不带%）").format(
        label=rules["schema"][field]["meta"]["label"].removeprefix("填报的").split("（")[0], path=format_path(where + (field,)))


def _number_hint(value: str, decimals_allowed: bool, money_unit) -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    notes = []
    if text != value.strip():
        notes.append(_("用半角数字"))
    suffix = next((s for s in _SUFFIXES if text.endswith(s)), None)
    if suffix:
        text = text[: -len(suffix)].strip()
        notes.append(_("不带“%”") if suffix == "%" else _("不带单位“{unit}”").format(unit=suffix))
    if "," in text:
        text = text.replace(",", "")
        notes.append(_("不带千位分隔符“,”"))
    if not notes or not PLAIN_NUMBER.fullmatch(text) or ("." in text and not decimals_allowed):
        return ""
    number = Decimal(text)
    if suffix in ("万元", "万") and money_unit == "元":
        number = number.scaleb(4)
        notes.append(_("本文件金额单位为元"))
    elif suffix == "元" and money_unit in (None, "万元"):
        number = number.scaleb(-4)
        notes.append(_("本文件金额单位为万元"))
    shown = f"{number:f}"
    if "." in shown and "." not in text:  # 1200元 -> 0.1200万元: drop zeros the clerk did not type
        shown = shown.rstrip("0").rstrip(".")
    return _("；请写成 {number}（{notes}）").format(number=shown, notes="，".join(notes))


def complete(data: dict, schema: dict | None = None, extra: dict | None = None) -> dict:
    """Every key of the schema present: missing mappings filled in, lists empty, other values ``None``.

    Templates can then test any documented key (``{% if analysis.output %}``)
    while a misspelt name is still an error. ``extra``: a format's own data keys, as for :func:`validate`.
    """
    if schema is None and extra:
        return _extended(_extra_key(extra))[3](data)
    return (_unit_completer() if schema is None else _completer(schema))(data)


@lru_cache(maxsize=1)
def _unit_completer():
    return _completer(unit_schema())


_VALUE, _MAPPING, _LIST, _ITEMS = range(4)


def _completer(schema: dict):
    """:func:`complete` for ``schema``, compiled: a function of the data."""
    steps = []  # (key, what it holds, the completer of its mapping or of its items)
    for key, rules in schema.items():
        kind = rules.get("type")
        items = rules.get("schema", {}) if kind == "list" else {}
        if kind == "dict":
            steps.append((key, _MAPPING, _completer(rules["schema"]) if "schema" in rules else None))
        elif kind == "list" and items.get("type") == "dict" and "schema" in items:
            steps.append((key, _ITEMS, _completer(items["schema"])))
        else:
            steps.append((key, _LIST if kind == "list" else _VALUE, None))

    def complete(data: dict) -> dict:
        out = dict(data)
        for key, held, inner in steps:
            if held == _VALUE:
                if key not in out:
                    out[key] = None
            elif held == _MAPPING:
                out[key] = inner(out.get(key) or {}) if inner else out.get(key) or {}
            else:
                value = out.get(key)
                out[key] = [inner(item) for item in value] if value and held == _ITEMS else value or []
        return out

    return complete
