"""Check a format's templates for template authors: syntax errors, and data names the schema does not define.

Every template file in the format's chain is parsed; names a template reads
from the context must be keys of the unit schema or what perfreport adds
(``figures``, ``settings``, ``format``); ``unit.nmae``-style attributes of
schema mappings are checked one level down as well.
"""
from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2 import meta, nodes

from ..templating import formats
from ..errors import Location, Problem
from ..i18n import _
from ..templating.jinja import environment
from ..schema import unit_schema

ADDED = {"figures", "settings", "format", "unit_table"}


def _known_attributes(schema: dict, name: str) -> set[str] | None:
    rules = schema.get(name) or {}
    if rules.get("type") == "dict" and "schema" in rules:
        return set(rules["schema"])
    return None


def check_templates(name: str, template_dirs: list[str | Path] = ()) -> list[Problem]:
    fmt = formats.resolve(name, template_dirs)
    env = environment(fmt.search_path)
    schema = dict(unit_schema(), **fmt.data)  # the format's own data keys are data too
    known = set(schema) | ADDED | set(env.globals)
    problems: list[Problem] = []
    trees = []
    for folder in fmt.chain:
        for path in sorted(folder.glob("*.j2")):
            try:
                trees.append((path, env.parse(path.read_text(encoding="utf-8"), path.name, str(path))))
            except jinja2.TemplateSyntaxError as exc:
                problems.append(Problem("PR530", _("模板语法错误：{detail}").format(detail=exc.message),
                                        Location(str(path), exc.lineno)))
    # names a template of the chain defines at its top (imports, macros, sets) are visible in its blocks
    for _path, tree in trees:
        for node in tree.body:
            if isinstance(node, (nodes.Import, nodes.FromImport)):
                known |= {node.target} if isinstance(node, nodes.Import) else {
                    n if isinstance(n, str) else n[-1] for n in node.names}
            elif isinstance(node, nodes.Macro):
                known.add(node.name)
            elif isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
                known.add(node.target.name)
    for path, tree in trees:
        context_names = meta.find_undeclared_variables(tree)
        from_context = set(context_names)
        for node in tree.find_all(nodes.Name):
            if node.ctx != "load" or node.name not in from_context:
                continue
            if node.name not in known:
                problems.append(Problem("PR531", _("模板使用了数据中没有定义的名称 {name}").format(name=node.name),
                                        Location(str(path), node.lineno)))
                from_context.discard(node.name)  # once per name and template
        for node in tree.find_all(nodes.Getattr):
            if isinstance(node.node, nodes.Name) and node.node.name in context_names:
                attributes = _known_attributes(schema, node.node.name)
                if attributes is not None and node.attr not in attributes:
                    problems.append(Problem("PR531", _("模板使用了数据中没有定义的字段 {name}.{attr}").format(
                        name=node.node.name, attr=node.attr), Location(str(path), node.lineno)))
    return problems
