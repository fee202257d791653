import pytest

from perfreport.errors import TemplateError
from perfreport.templating.jinja import environment, render_template


@pytest.fixture
def env(tmp_path):
    def make(**templates):
        for name, text in templates.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
        return environment([tmp_path])
    return make


def test_data_is_escaped_so_it_can_never_become_markup(env):
    out = render_template(env(**{"t.j2": "<p>{{ x }}</p>"}), "t.j2", {"x": "a & <b>{{ y }}</b>"})
    assert out == "<p>a &amp; &lt;b&gt;{{ y }}&lt;/b&gt;</p>"


def test_every_kind_of_value_is_written_as_jinja_escapes_it(env):
    """Output is escaped by a shortcut for plain text (speed, issue 18): the same text as Jinja's own escape."""
    from markupsafe import Markup, escape

    values = {"s": "a & <b>\"'", "m": Markup("<b>粗</b>"), "n": 5, "f": 0.5, "none": None, "l": ["<"]}
    out = render_template(env(**{"t.j2": "|".join("{{ %s }}" % name for name in values)}), "t.j2", values)
    assert out == "|".join(str(escape(value)) for value in values.values())


def test_syntax_error_names_file_and_line(env, tmp_path):
    with pytest.raises(TemplateError) as exc:
        render_template(env(**{"t.j2": "<p>\n{% if %}\n</p>"}), "t.j2", {})
    problem = exc.value.problems[0]
    assert problem.code == "PR301" and problem.location.line == 2 and problem.location.file.endswith("t.j2")


def test_undefined_variable_names_file_and_line(env):
    with pytest.raises(TemplateError) as exc:
        render_template(env(**{"t.j2": "<p>\n\n{{ unit.nmae }}</p>"}), "t.j2", {"unit": {"name": "a"}})
    problem = exc.value.problems[0]
    assert problem.code == "PR304" and problem.location.line == 3 and "nmae" in problem.message


def test_filter_on_the_wrong_type_names_file_and_line(env):
    with pytest.raises(TemplateError) as exc:
        render_template(env(**{"t.j2": "{{ x|percent }}"}), "t.j2", {"x": "abc", "settings": {}})
    assert exc.value.problems[0].code == "PR305" and exc.value.problems[0].location.line == 1


def test_sandbox_refuses_python_internals_naming_file_and_line(env):
    with pytest.raises(TemplateError) as exc:
        render_template(env(**{"t.j2": "<p>\n{{ ''.__class__.__mro__[1].__subclasses__() }}</p>"}), "t.j2", {})
    problem = exc.value.problems[0]
    assert problem.code == "PR303" and "沙箱" in problem.message and "__class__" in problem.message
    assert problem.location.file.endswith("t.j2") and problem.location.line == 2


class _Item:
    def __init__(self, name, say):
        self.name, self.say = name, say


def test_attributes_read_again_take_the_sandbox_s_answers(env):
    """Attributes found safe for a type are read without the sandbox's checks the next time
    (speed, issue 18): what templates see must stay exactly what Jinja's sandbox gives."""
    template = ("{% for i in items %}{{ i.name }}|{{ i.say('{0}') }}|{% endfor %}"
                "{{ d.items is defined and d.items is not string }}|{{ d.name }}|{{ d['items'] }}|{{ d.missing is defined }}")
    items = [_Item("甲", "a".format), _Item("乙", "b{0}".format)]
    out = render_template(env(**{"t.j2": template}), "t.j2", {"items": items, "d": {"items": "键", "name": "名"}})
    # str.format keeps the sandbox's wrapping on every read (it refuses the __class__ lookup), a dict's own
    # attributes come before its keys of the same name, keys are read as attributes, and a missing key is undefined
    assert out.startswith("甲|a|乙|b{0}|")
    assert out.endswith("True|名|键|False")
    with pytest.raises(TemplateError) as exc:
        render_template(env(**{"t.j2": "{% for i in items %}{{ i.say('{0}') }}{% endfor %}"}), "t.j2",
                        {"items": [_Item("甲", "a".format), _Item("乙", "{0.__class__.__mro__}".format)]})
    assert exc.value.problems[0].code == "PR303"


@pytest.mark.parametrize("tag", ["include", "extends", "import"])
@pytest.mark.parametrize("name", ["../secret.j2", "{dir}/secret.j2", "sub/../../secret.j2"])
def test_templates_cannot_leave_the_search_path(env, tmp_path, tag, name):
    (tmp_path.parent / "secret.j2").write_text("secret", encoding="utf-8")
    name = name.format(dir=tmp_path.parent)
    statement = f'{{% import "{name}" as x %}}' if tag == "import" else f'{{% {tag} "{name}" %}}'
    with pytest.raises(TemplateError) as exc:
        render_template(env(**{"t.j2": f"<p>\n{statement}</p>"}), "t.j2", {})
    problem = exc.value.problems[0]
    assert problem.code == "PR308" and name in problem.message and "不在模板文件夹内" in problem.message
    assert problem.location.file.endswith("t.j2") and problem.location.line == 2


def test_a_symbolic_link_out_of_the_search_path_is_refused(env, tmp_path):
    (tmp_path.parent / "secret.j2").write_text("secret", encoding="utf-8")
    (tmp_path / "link.j2").symlink_to(tmp_path.parent / "secret.j2")
    with pytest.raises(TemplateError) as exc:
        render_template(env(**{"t.j2": '{% include "link.j2" %}'}), "t.j2", {})
    assert exc.value.problems[0].code == "PR308"


def test_a_missing_included_template_names_the_including_file(env):
    with pytest.raises(TemplateError) as exc:
        render_template(env(**{"t.j2": '\n{% include "nope.j2" %}'}), "t.j2", {})
    problem = exc.value.problems[0]
    assert problem.code == "PR302" and "nope.j2" in problem.message and problem.location.line == 2
