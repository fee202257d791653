"""The Jinja environment: sandboxed, strict, autoescaped, with a search path of template folders.

Templates render *markup* (see :mod:`perfreport.markup`); data is escaped by
Jinja's autoescape, so text typed in a unit file can never become structure.
"""
from __future__ import annotations

import os
import traceback
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from .errors import Location, Problem, TemplateError
from .filters import FILTERS
from .i18n import _

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"


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


def environment(search_path: list[Path | str]) -> SandboxedEnvironment:
    """An environment that looks for templates in ``search_path``, first folder first.

    ``include``/``extends``/``import`` cannot leave the search path: ``../x``,
    absolute names and symbolic links pointing outside are refused.
    """
    env = SandboxedEnvironment(
        loader=_ConfinedLoader([str(p) for p in search_path], encoding="utf-8"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    return env


def render_template(env: SandboxedEnvironment, name: str, context: dict) -> str:
    """Render template ``name``; every failure becomes a :class:`TemplateError` with file and line."""
    try:
        template = env.get_template(name)
        return template.render(context)
    except jinja2.TemplateSyntaxError as exc:
        where = Location(exc.filename or exc.name, exc.lineno)
        raise TemplateError(Problem("PR301", _("模板语法错误：{detail}").format(detail=exc.message), where)) from None
    except OutsideSearchPath as exc:
        raise TemplateError(Problem("PR308", _("模板 {name} 不在模板文件夹内：include、extends、import 只能使用模板文件夹中的文件"
                                               "（不能用 ../、绝对路径或指向外面的链接）").format(name=exc.name), _template_frame(exc))) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(Problem("PR302", _("找不到模板 {name}").format(name=exc.name), _template_frame(exc))) from None
    except SecurityError as exc:
        raise TemplateError(Problem("PR303", _("模板做了不允许的操作（模板在安全沙箱中运行，不能访问 Python 的内部属性和方法）：{detail}").format(
            detail=exc), _template_frame(exc))) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(Problem("PR304", _("模板使用了未定义的变量：{detail}").format(detail=exc.message), _template_frame(exc))) from None
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError) as exc:
        raise TemplateError(Problem("PR305", _("模板渲染出错：{detail}").format(detail=exc), _template_frame(exc))) from None


def _template_frame(exc: BaseException) -> Location:
    """The innermost template file and line in the traceback Jinja rewrote for ``exc``."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and frame.filename.endswith(".j2"):
            return Location(frame.filename, frame.lineno)
    return Location()
