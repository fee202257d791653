"""click's own wording (usage errors, option validation, help boilerplate) in the message language.

click marks its messages with :mod:`gettext` (``_`` and ``ngettext`` in each of
its modules, English msgids, no catalog of its own). :func:`install` points
those names at :func:`click_gettext`, which maps each English msgid to a
Chinese one in :data:`CLICK_MESSAGES` and passes that through the project's
catalog like any other message: Chinese by default, click's own English with
``--lang en``. A message click adds later and missing from the table stays
as click wrote it.

:class:`TranslatedCommand` and :class:`TranslatedGroup` translate the help of
commands and options (written as ``N_()`` Chinese msgids) when help is shown,
so ``--lang en --help`` is English too.
"""
from __future__ import annotations

import click

from .i18n import N_, _, language

#: click's msgid → our Chinese msgid. Singular and plural msgids of an ``ngettext`` map to one Chinese text.
CLICK_MESSAGES = {
    "Aborted!": N_("已中止！"),
    "deprecated": N_("已弃用"),
    "Options": N_("选项"),
    "Positional arguments": N_("位置参数"),
    "Commands": N_("命令"),
    "Usage:": N_("用法："),
    "Missing command.": N_("缺少命令。"),
    "Got unexpected extra argument ({args})": N_("多余的参数（{args}）"),
    "Got unexpected extra arguments ({args})": N_("多余的参数（{args}）"),
    "Value must be an iterable.": N_("值应为可迭代对象。"),
    "Takes {nargs} values but 1 was given.": N_("需要 {nargs} 个值，实际给出 {len} 个。"),
    "Takes {nargs} values but {len} were given.": N_("需要 {nargs} 个值，实际给出 {len} 个。"),
    "env var: {var}": N_("环境变量：{var}"),
    "default: {default}": N_("默认：{default}"),
    "(dynamic)": N_("（动态）"),
    "required": N_("必填"),
    "Show the version and exit.": N_("显示版本并退出。"),
    "Show this message and exit.": N_("显示此帮助并退出。"),
    "Did you mean {possibility}?": N_("是否想用 {possibility}？"),
    "(Did you mean one of: {possibilities}?)": N_("（是否想用其中之一：{possibilities}？）"),
    "Error: {message}": N_("错误：{message}"),
    "Try '{command} {option}' for help.": N_("运行「{command} {option}」查看帮助。"),
    "Invalid value: {message}": N_("无效的值：{message}"),
    "Invalid value for {param_hint}: {message}": N_("{param_hint} 的值无效：{message}"),
    "Missing argument": N_("缺少参数"),
    "Missing option": N_("缺少选项"),
    "Missing parameter": N_("缺少参数"),
    "Missing {param_type}": N_("缺少 {param_type}"),
    "Missing parameter: {param_name}": N_("缺少参数：{param_name}"),
    "No such option {name!r}.": N_("没有选项 {name!r}。"),
    "No such command {name!r}.": N_("没有命令 {name!r}。"),
    "unknown error": N_("未知错误"),
    "Could not open file {filename!r}: {message}": N_("无法打开文件 {filename!r}：{message}"),
    "Argument {name!r} takes {nargs} values.": N_("参数 {name!r} 需要 {nargs} 个值。"),
    "Option {name!r} does not take a value.": N_("选项 {name!r} 不带值。"),
    "Option {name!r} requires an argument.": N_("选项 {name!r} 需要一个值。"),
    "Option {name!r} requires {nargs} arguments.": N_("选项 {name!r} 需要 {nargs} 个值。"),
    "Invalid start character for option ({option})": N_("选项的起始字符无效（{option}）"),
    "Choose from:\n\t{choices}": N_("可选：\n\t{choices}"),
    "{value!r} is not {choice}.": N_("{value!r} 不是可选的值；可选：{choices}。"),
    "{value!r} is not one of {choices}.": N_("{value!r} 不是可选的值；可选：{choices}。"),
    "{value!r} is not a valid {number_type}.": N_("{value!r} 不是有效的{number_type}。"),
    "{value} is not in the range {range}.": N_("{value} 不在范围 {range} 内。"),
    "{value!r} is not a valid boolean. Recognized values: {states}": N_("{value!r} 不是有效的布尔值；可用：{states}"),
    "file": N_("文件"),
    "directory": N_("文件夹"),
    "path": N_("路径"),
    "{name} {filename!r} does not exist.": N_("{name} {filename!r} 不存在。"),
    "{name} {filename!r} is a file.": N_("{name} {filename!r} 是文件。"),
    "{name} {filename!r} is a directory.": N_("{name} {filename!r} 是文件夹。"),
    "{name} {filename!r} is not readable.": N_("{name} {filename!r} 不可读。"),
    "{name} {filename!r} is not writable.": N_("{name} {filename!r} 不可写。"),
    "{name} {filename!r} is not executable.": N_("{name} {filename!r} 不可执行。"),
    "[OPTIONS]": N_("[选项]"),
    "COMMAND [ARGS]...": N_("命令 [参数]..."),
}

def _english() -> bool:
    return (language() or "").lower().startswith("en")


def click_gettext(message: str) -> str:
    """click's ``gettext``: the Chinese of ``message`` in the current language; click's English with ``--lang en``."""
    chinese = CLICK_MESSAGES.get(message)
    if chinese is None or _english():
        return message
    return _(chinese)


def click_ngettext(singular: str, plural: str, count: int) -> str:
    """click's ``ngettext``: Chinese has one form for both."""
    english = singular if count == 1 else plural
    chinese = CLICK_MESSAGES.get(singular)
    if chinese is None or _english():
        return english
    return _(chinese)


def install() -> None:
    """Point the ``gettext`` names of click's modules at :func:`click_gettext` and :func:`click_ngettext`."""
    import importlib

    for name in ("core", "decorators", "exceptions", "formatting", "parser", "types", "utils", "termui",
                 "shell_completion", "_termui_impl"):
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # pragma: no cover - a click without that module
            continue
        if hasattr(module, "_"):
            module._ = click_gettext
        if hasattr(module, "ngettext"):
            module.ngettext = click_ngettext


def _translated(items):
    """Swap each item's ``help`` for its translation while the block runs."""
    import contextlib

    @contextlib.contextmanager
    def swap():
        originals = [(item, item.help) for item in items]
        for item, text in originals:
            if text:
                item.help = _(text)
        try:
            yield
        finally:
            for item, text in originals:
                item.help = text

    return swap()


class _Formatter(click.HelpFormatter):
    """Help text whose headings end in a full-width colon when they are Chinese (「选项：」)."""

    def write_heading(self, heading: str) -> None:
        colon = "：" if heading and "\u4e00" <= heading[-1] <= "\u9fff" else ":"
        self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            usage = click_gettext("Usage:")
            prefix = usage if usage.endswith("：") else usage + " "
        super().write_usage(prog, args, prefix)


class _Context(click.Context):
    formatter_class = _Formatter


class TranslatedCommand(click.Command):
    """A command whose help, and its options' help, are ``N_()`` msgids translated when shown."""

    context_class = _Context

    def format_help_text(self, ctx, formatter):
        with _translated([self]):
            super().format_help_text(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated([self]):
            return super().get_short_help_str(limit)

    def format_options(self, ctx, formatter):
        with _translated(self.get_params(ctx)):
            super().format_options(ctx, formatter)

    def collect_usage_pieces(self, ctx):
        return [click_gettext(piece) for piece in super().collect_usage_pieces(ctx)]


class TranslatedGroup(TranslatedCommand, click.Group):
    """A group of translated commands; its subcommands and subgroups are translated too."""

    command_class = TranslatedCommand
    group_class = type
