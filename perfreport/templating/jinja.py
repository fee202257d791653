"""The Jinja environment: sandboxed, strict, autoescaped, with a search path of template folders.

Templates render *markup* (see :mod:`perfreport.word.markup`); data is escaped by
Jinja's autoescape, so text typed in a unit file can never become structure.
"""
from __future__ import annotations

import difflib
import functools
import linecache
import os
import re
import threading
import types
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import jinja2
import jinja2.compiler
import jinja2.runtime
import jinja2.utils
import markupsafe
from jinja2.nodes import EvalContext
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from ..errors import Location, Problem, TemplateError
from .filters import FILTERS
from ..i18n import _


class OutsideSearchPath(jinja2.TemplateNotFound):
    """A template name that would leave the search path (``../x``, an absolute path, a symbolic link out)."""


class _ConfinedLoader(jinja2.FileSystemLoader):
    """:class:`jinja2.FileSystemLoader` that also refuses ``..``, absolute names and files whose real
    path (after symbolic links) is outside the search path."""

    def get_source(self, environment, template):
        if template.startswith(("/", "\\")) or ".." in template.replace("\\", "/").split("/") or ":" in template:
            raise OutsideSearchPath(template)
        source, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        if not any(real.startswith(os.path.realpath(root) + os.sep) for root in self.searchpath):
            raise OutsideSearchPath(template)
        return source, filename, uptodate


# Limits per render: a county format is written by someone else and may run away (docs/errors.md).
MAX_OUTPUT = 50_000_000     # characters of markup: a report of 50,000 projects listed one by one is about 25 million
MAX_TEXT = 10_000_000       # characters (or items) of one value the template makes: 'x' * n, center(n), "%*d"
MAX_STEPS = 10_000_000      # steps of all {% for %} loops together
MAX_DEPTH = 50              # macros, blocks and recursive loops calling one another
MAX_POWER_BITS = 10_000     # size of the result of ``**``, in bits (about 3,000 digits)
_STEPS_FILTER = "_perfreport_steps"
_SIZE_FILTER = "_perfreport_size"
_WIDE = {"center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map"}  # methods given a width
_FORMAT_SPEC = re.compile(r"%(?:\([^)]*\))?[^a-zA-Z%]*[a-zA-Z%]|\{[^{}]*\}")
_NUMBER = re.compile(r"\d+")


class LimitExceeded(Exception):
    """A template went past one of the limits per render: its message says which."""


class _Budget(threading.local):
    """What the render in progress on this thread has used."""

    steps = 0
    depth = 0


_budget = _Budget()


def _limit(message: str) -> LimitExceeded:
    return LimitExceeded(message)


def _check_text(size: int) -> None:
    if size > MAX_TEXT:
        raise _limit(_("模板生成的一段文字或列表过长（{size} 个字符或项，上限 {limit} 个）").format(size=size, limit=MAX_TEXT))


def _check_widths(spec: str, args) -> None:
    """A format string (``%`` or ``str.format``) must not ask for a field wider than :data:`MAX_TEXT`."""
    for field_spec in _FORMAT_SPEC.findall(spec):
        for number in _NUMBER.findall(field_spec):
            _check_text(int(number) if len(number) < 12 else MAX_TEXT + 1)
    values = args.values() if isinstance(args, dict) else args if isinstance(args, (tuple, list)) else (args,)
    if "*" in spec or "{" in spec:
        for value in values:
            if isinstance(value, int) and not isinstance(value, bool):
                _check_text(abs(value))


def _check_call(function, args: tuple, kwargs: dict) -> None:
    """Refuse a string method call that would make text longer than :data:`MAX_TEXT` before it runs."""
    function = getattr(function, "__wrapped__", function)  # the sandbox wraps str.format
    owner = getattr(function, "__self__", None)
    if not isinstance(owner, str):
        return
    name = getattr(function, "__name__", "")
    if name in ("format", "format_map"):
        _check_widths(owner, list(args) + list(kwargs.values()) + [v for a in args if isinstance(a, dict) for v in a.values()])
    elif name in _WIDE and args and isinstance(args[0], int):
        _check_text(args[0])
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        _check_text(len(owner) + (owner.count(args[0]) if args[0] else len(owner) + 1) * len(args[1]))
    elif name == "join" and args and isinstance(args[0], (list, tuple)):
        _check_joined(owner, args[0])


def _check_joined(separator: str, items) -> None:
    """``separator.join(items)`` must stay within :data:`MAX_TEXT`, checked before it is made."""
    if len(items) > MAX_TEXT:
        _check_text(len(items))
    _check_text(len(separator) * max(len(items) - 1, 0) + sum(len(i) if isinstance(i, str) else 20 for i in items))


def _check_size(value) -> None:
    """A text or collection that grew past :data:`MAX_TEXT` (``~`` in a loop, ``list.extend``) is refused."""
    if isinstance(value, (str, list, tuple, dict, set)):
        _check_text(len(value))


def _bounded_filter(name: str, function):
    """A built-in filter checked like the string method it stands for."""
    @functools.wraps(function)
    def bounded(*args, **kwargs):
        values = [a for a in args if not isinstance(a, (jinja2.Environment, jinja2.runtime.Context, EvalContext))]
        if name == "format" and values and isinstance(values[0], str):
            _check_widths(values[0], values[1:] + list(kwargs.values()))
        elif name == "join":
            items = list(values[0]) if values else []
            separator = values[1] if len(values) > 1 else kwargs.get("d", "")
            _check_joined(str(separator), items)
            args = (*args[:len(args) - len(values)], items, *values[1:])
        elif name == "replace" and len(values) >= 3 and all(isinstance(v, str) for v in values[:3]):
            _check_call(values[0].replace, tuple(values[1:3]), {})
        else:
            numbers = [v for v in values[1:] + list(kwargs.values()) if isinstance(v, int) and not isinstance(v, bool)]
            for number in numbers:
                _check_text(number)
        return function(*args, **kwargs)
    return bounded


def _bits(number) -> int:
    """The size of an int or Fraction in bits (numerator and denominator)."""
    fraction = Fraction(number)
    return fraction.numerator.bit_length() + fraction.denominator.bit_length()


def _sized(value):
    """The result of ``a ~ b``, refused past :data:`MAX_TEXT` (the parser wraps every ``~`` in this)."""
    _check_size(value)
    return value


def _bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100):  # noqa: A002 (Jinja's names)
    """Jinja's ``lipsum()`` within :data:`MAX_TEXT`."""
    _check_text(abs(n) * abs(max) * 10)
    return jinja2.utils.generate_lorem_ipsum(n, html, min, max)


def _steps(iterable):
    """Count each step of a ``{% for %}`` loop against :data:`MAX_STEPS` (the parser wraps every loop in this)."""
    for item in iterable:
        _budget.steps += 1
        if _budget.steps > MAX_STEPS:
            raise _limit(_("模板中的循环步数过多（所有循环合计超过 {limit} 步）").format(limit=MAX_STEPS))
        yield item


try:
    from markupsafe import _escape_inner   # MarkupSafe 3: the C function behind escape() for a str
except ImportError:                        # pragma: no cover (MarkupSafe 2)
    _escape_inner = None


def _escaped(value) -> str:
    """What ``{{ value }}`` writes when autoescaping: Jinja's ``escape(value)``, but a plain str for a
    str value (the most common), without making a ``Markup`` that is only joined to the output."""
    if type(value) is str and _escape_inner is not None:
        return _escape_inner(value)
    return markupsafe.escape(value)


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, writing each autoescaped output through :func:`_escaped`."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escaped(")
        if finalize.src is not None:
            self.write(finalize.src)


_DICT_ATTRIBUTES = frozenset(dir(dict))     # what ``d.name`` finds before the key ``name`` of a dict
_METHODS = (types.MethodType, types.BuiltinMethodType)    # the values the sandbox may wrap (str.format)


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, remembering its answer to "may templates read this attribute?" for each type
    and attribute name: the answer depends on nothing else, and templates ask it for every ``a.b``.

    It also bounds what one render may cost (:data:`MAX_OUTPUT` … :data:`MAX_DEPTH`): ``*``, ``**``
    and ``%`` are checked before they run, so are string methods and filters given a width, every
    loop counts its steps and every call of a macro, block or recursive loop its depth.
    """

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _CodeGenerator
    escaped = staticmethod(_escaped)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._safe: dict[tuple[type, str], bool] = {}
        self._safe_names: dict[type, set[str]] = {}   # the attributes found safe, per type: see getattr()
        for name in ("center", "indent", "format", "replace", "slice", "join"):
            self.filters[name] = _bounded_filter(name, self.filters[name])
        self.filters[_STEPS_FILTER] = _steps
        self.filters[_SIZE_FILTER] = _sized
        self.globals["lipsum"] = _bounded_lipsum

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(jinja2.nodes.For):
            loop.iter = jinja2.nodes.Filter(loop.iter, _STEPS_FILTER, [], [], None, None, lineno=loop.iter.lineno)
        for parent in list(tree.find_all(jinja2.nodes.Node)):  # every ``a ~ b``: its result is checked
            for field in parent.fields:
                child = getattr(parent, field, None)
                if isinstance(child, jinja2.nodes.Concat):
                    setattr(parent, field, jinja2.nodes.Filter(child, _SIZE_FILTER, [], [], None, None, lineno=child.lineno))
                elif isinstance(child, list):
                    setattr(parent, field, [jinja2.nodes.Filter(c, _SIZE_FILTER, [], [], None, None, lineno=c.lineno)
                                            if isinstance(c, jinja2.nodes.Concat) else c for c in child])
        return tree

    def call_binop(self, context, operator: str, left, right):
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
                    _check_text(len(sequence) * count)
            if isinstance(left, (int, Fraction)) and isinstance(right, (int, Fraction)) and _bits(left) + _bits(right) > MAX_POWER_BITS:
                raise _limit(_("模板中的乘积过大（超过 {limit} 位二进制数）").format(limit=MAX_POWER_BITS))
        elif operator == "**" and isinstance(right, int) and abs(right) > 1 and isinstance(left, (int, Fraction, Decimal)):
            base = max(abs(Fraction(left).numerator), abs(Fraction(left).denominator)) if not isinstance(left, Decimal) else 2
            if base > 1 and abs(right) * base.bit_length() > MAX_POWER_BITS:
                raise _limit(_("模板中的乘方结果过大（超过 {limit} 位二进制数）").format(limit=MAX_POWER_BITS))
        elif operator == "%" and isinstance(left, str):
            _check_widths(left, right)
        elif operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            _check_text(len(left) + len(right))
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        _check_call(__obj, args, kwargs)
        if not isinstance(__obj, (jinja2.runtime.Macro, jinja2.runtime.BlockReference, jinja2.runtime.LoopContext)):
            result = super().call(__context, __obj, *args, **kwargs)
            _check_size(result)
            _check_size(getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None))  # list.extend(…) grows its list
            return result
        _budget.depth += 1
        try:
            if _budget.depth > MAX_DEPTH:
                raise _limit(_("模板中的宏、block 或递归循环嵌套调用过深（超过 {limit} 层），可能调用了自身").format(limit=MAX_DEPTH))
            return super().call(__context, __obj, *args, **kwargs)
        finally:
            _budget.depth -= 1

    def getattr(self, obj, attribute: str):
        """``obj.attribute`` as the sandbox gives it, without its checks where their answer is known:
        a plain dict's key that is not a dict attribute, and an attribute already found safe for the
        object's type (the data the templates read: thousands of values per report), unless the value
        is a method (the sandbox wraps ``str.format``)."""
        kind = type(obj)
        if kind is dict:
            if attribute not in _DICT_ATTRIBUTES:
                try:
                    return obj[attribute]
                except KeyError:
                    pass
        elif attribute in self._safe_names.get(kind, ()):
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                pass
            else:
                if type(value) not in _METHODS:
                    return value
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            safe = self._safe[key] = super().is_safe_attribute(obj, attr, value)
            if safe:
                self._safe_names.setdefault(type(obj), set()).add(attr)
        return safe


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept on disk between runs; a file that cannot be read or written is just not used.

    Jinja finds an entry by the template's name and file and uses it only if the
    template's text is the one it was compiled from (its SHA-1), so an edited
    template is always compiled again.
    """

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # unreadable, truncated or from another Python: compile instead
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache(cache_dir: str | Path | None, env: SandboxedEnvironment) -> _BytecodeCache | None:
    """The bytecode cache in ``cache_dir``, in a folder of its own for this perfreport and Jinja and
    these environment settings (compiled code depends on them), or ``None``."""
    if cache_dir is None:
        return None
    from hashlib import sha1

    from .. import __version__
    from ..cache import subfolder

    settings = (__version__, jinja2.__version__, type(env).__qualname__, env.code_generator_class.__qualname__, env.block_start_string, env.block_end_string,
                env.variable_start_string, env.variable_end_string, env.comment_start_string, env.comment_end_string,
                env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks,
                env.newline_sequence, env.keep_trailing_newline, env.optimized, sorted(env.extensions),
                env.autoescape if isinstance(env.autoescape, bool) else type(env.autoescape).__qualname__)
    folder = subfolder(cache_dir, "templates-" + sha1(repr(settings).encode("utf-8")).hexdigest()[:16])
    return _BytecodeCache(str(folder), "%s.cache") if folder else None


def environment(search_path: list[Path | str], cache_dir: str | Path | None = None) -> SandboxedEnvironment:
    """An environment that looks for templates in ``search_path``, first folder first.

    ``include``/``extends``/``import`` cannot leave the search path: ``../x``,
    absolute names and symbolic links pointing outside are refused. Templates
    compiled once are kept in ``cache_dir`` (see :mod:`perfreport.cache`) for
    the next process. A template file edited while the environment is in use is
    read again.
    """
    env = _Sandbox(
        loader=_ConfinedLoader([str(p) for p in search_path], encoding="utf-8"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=True,
    )
    env.filters.update(FILTERS)
    env.bytecode_cache = _bytecode_cache(cache_dir, env)
    return env


def render_template(env: SandboxedEnvironment, name: str, context: dict) -> str:
    """Render template ``name``; every failure becomes a :class:`TemplateError` with file, line and,
    where it can be told, the data path involved (``unit.nmae``)."""
    _budget.steps = _budget.depth = 0
    try:
        template = env.get_template(name)
        return _generate(template, context)
    except LimitExceeded as exc:
        frame = _TemplateFrame(exc)
        raise TemplateError(Problem("PR309", str(exc) + _show(frame.text), frame.location())) from None
    except RecursionError as exc:
        frame = _TemplateFrame(exc)
        where = frame.location() if frame.file else Location(name)  # while compiling: no template frame yet
        raise TemplateError(Problem("PR309", _("模板嵌套过深（include、extends、宏或 block 可能调用了自身，或 if、for、括号嵌套的层数过多）")
                                    + _show(frame.text), where)) from None
    except jinja2.TemplateSyntaxError as exc:
        where = Location(exc.filename or exc.name, exc.lineno)
        lines = (exc.source or "").splitlines()
        shown = lines[exc.lineno - 1] if exc.lineno and 0 < exc.lineno <= len(lines) else ""
        raise TemplateError(Problem("PR301", _("模板语法错误：{detail}").format(detail=exc.message) + _show(shown),
                                    where)) from None
    except OutsideSearchPath as exc:
        raise TemplateError(Problem("PR308", _("模板 {name} 不在模板文件夹内：include、extends、import 只能使用模板文件夹中的文件"
                                               "（不能用 ../、绝对路径或指向外面的链接）").format(name=exc.name),
                                    _TemplateFrame(exc).location())) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(Problem("PR302", _("找不到模板 {name}").format(name=exc.name), _TemplateFrame(exc).location())) from None
    except SecurityError as exc:
        frame = _TemplateFrame(exc)
        raise TemplateError(Problem("PR303", _("模板做了不允许的操作（模板在安全沙箱中运行，不能访问 Python 的内部属性和方法）：{detail}").format(
            detail=exc) + _show(frame.text), frame.location())) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(_undefined(exc, _TemplateFrame(exc), context)) from None
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError) as exc:
        raise TemplateError(_failed(exc, _TemplateFrame(exc), context)) from None


def _generate(template: jinja2.Template, context: dict) -> str:
    """The rendered text, stopped inside the template (so that the error names its line) once it
    passes :data:`MAX_OUTPUT` characters."""
    parts, size = [], 0
    events = template.generate(context)
    for part in events:
        size += len(part)
        if size > MAX_OUTPUT:
            events.throw(_limit(_("模板生成的内容过长（超过 {limit} 个字符）；是否有失控的循环？").format(limit=MAX_OUTPUT)))
        parts.append(part)
    return "".join(parts)


_UNDEFINED_NAME = re.compile(r"'(\w+)' is undefined")
_NO_ATTRIBUTE = re.compile(r"has no attribute '(.+)'$")
_EXPRESSION = r"(?<![\w.])([A-Za-z]\w*(?:\.[A-Za-z]\w*)*)"  # names starting with _ are never resolved


class _TemplateFrame:
    """The innermost template frame of an exception's traceback: file, line, its text and variables."""

    def __init__(self, exc: BaseException):
        self.file = self.line = None
        self.text, self.variables, self.calls = "", {}, []  # calls: functions below the template frame
        tb = exc.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if code.co_filename.endswith(".j2"):
                self.file, self.line, self.variables = code.co_filename, tb.tb_lineno, tb.tb_frame.f_locals
                self.text = (linecache.getline(self.file, self.line) or "").strip()
                self.calls = []
            else:
                self.calls.append(code.co_name)
            tb = tb.tb_next

    def location(self, expression: str = "", context: dict | None = None) -> Location:
        """Where it happened; the data path is given when ``expression`` starts from a name of the context."""
        root = expression.split(".")[0]
        path = tuple(expression.split(".")) if root and root in (context or {}) else ()
        return Location(self.file, self.line, None, path)

    def resolve(self, expression: str, context: dict):
        """The value of a dotted ``expression`` in the template's variables (then the context).

        Raises :class:`_Missing` naming the first part that does not exist.
        """
        names = expression.split(".")
        scope = self.variables if names[0] in self.variables else context
        if names[0] not in scope:
            raise _Missing("", names[0], list(context) + list(self.variables))
        value = scope[names[0]]
        for i, name in enumerate(names[1:], start=1):
            present = name in value if isinstance(value, dict) else hasattr(value, name)
            if not present:
                raise _Missing(".".join(names[:i]), name, _fields(value))
            value = value[name] if isinstance(value, dict) else getattr(value, name)
        return value


class _Missing(LookupError):
    """A name the template asked for that is not there: ``parent`` (a dotted expression) lacks ``name``."""

    def __init__(self, parent: str, name: str, known: list[str]):
        super().__init__(name)
        self.parent, self.name, self.known = parent, name, known

    def problem(self, frame: _TemplateFrame, context: dict) -> Problem:
        if self.parent:
            text = _("模板使用了不存在的数据 {parent}.{name}：{parent} 中没有 {name}").format(parent=self.parent, name=self.name)
        else:
            text = _("模板使用了未定义的变量 {name}").format(name=self.name)
        close = difflib.get_close_matches(self.name, self.known, n=1, cutoff=0.6)
        if close:
            text += _("，是否为 {suggestion}？").format(suggestion=close[0])
        expression = f"{self.parent}.{self.name}" if self.parent else self.name
        return Problem("PR304", text + _show(frame.text), frame.location(expression, context))


def _show(line: str) -> str:
    return "\n    " + line if line else ""


def _fields(value) -> list[str]:
    if isinstance(value, dict):
        return [str(k) for k in value]
    return [name for name in dir(value) if not name.startswith("_")] if value is not None else []


def _undefined(exc: jinja2.UndefinedError, frame: _TemplateFrame, context: dict) -> Problem:
    message = exc.message or ""
    named = _UNDEFINED_NAME.search(message)
    attribute = _NO_ATTRIBUTE.search(message)
    found = attribute and re.search(
        _EXPRESSION + r"(?:\.|\[\s*['\"])" + re.escape(attribute.group(1)) + r"\b", frame.text)
    try:
        if named:
            frame.resolve(named.group(1), context)
        elif found:
            frame.resolve(f"{found.group(1)}.{attribute.group(1)}", context)
    except _Missing as missing:
        return missing.problem(frame, context)
    return Problem("PR304", _("模板使用了未定义的变量：{detail}").format(detail=message) + _show(frame.text),
                   frame.location())


def _failed(exc: Exception, frame: _TemplateFrame, context: dict) -> Problem:
    """A filter given a value it cannot use, or another error while rendering."""
    names = {function.__name__: name for name, function in FILTERS.items()}
    name = next((names[call] for call in frame.calls if call in names), None)
    found = re.search(_EXPRESSION + r"\s*\|\s*" + re.escape(name) + r"\b", frame.text) if name else None
    if not found:
        return Problem("PR305", _("模板渲染出错：{detail}").format(detail=exc) + _show(frame.text), frame.location())
    expression = found.group(1)
    try:
        value = frame.resolve(expression, context)
    except _Missing as missing:
        return missing.problem(frame, context)
    text = _("过滤器 {filter} 不能用于 {expression} 的值“{value}”（{kind}）：{detail}").format(
        filter=name, expression=expression, value=value, kind=_kind(value), detail=exc)
    return Problem("PR305", text + _show(frame.text), frame.location(expression, context))


def _kind(value) -> str:
    if value is None:
        return _("空值")
    if isinstance(value, str):
        return _("文字")
    if isinstance(value, bool):
        return _("是/否")
    if isinstance(value, (int, Decimal, Fraction)):
        return _("数字")
    if isinstance(value, (dict, list)):
        return _("映射") if isinstance(value, dict) else _("列表")
    return type(value).__name__
