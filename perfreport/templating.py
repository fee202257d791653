"""The Jinja environment: sandboxed, strict, autoescaped, with a search path of template folders.

Templates render *markup* (see :mod:`perfreport.markup`); data is escaped by
Jinja's autoescape, so text typed in a unit file can never become structure.
"""
from __future__ import annotations

import difflib
import linecache
import os
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from .errors import Location, Problem, TemplateError
from .filters import FILTERS
from .i18n import _


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


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, remembering its answer to "may templates read this attribute?" for each type
    and attribute name: the answer depends on nothing else, and templates ask it for every ``a.b``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._safe: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            safe = self._safe[key] = super().is_safe_attribute(obj, attr, value)
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

    from . import __version__
    from .cache import subfolder

    settings = (__version__, jinja2.__version__, type(env).__qualname__, env.block_start_string, env.block_end_string,
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
    try:
        template = env.get_template(name)
        return template.render(context)
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
