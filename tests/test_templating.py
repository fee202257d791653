import pytest

from perfreport.errors import TemplateError
from perfreport.templating import environment, render_template


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


def test_sandbox_refuses_python_internals(env):
    with pytest.raises(TemplateError) as exc:
        render_template(env(**{"t.j2": "{{ ''.__class__.__mro__[1].__subclasses__() }}"}), "t.j2", {})
    assert exc.value.problems[0].code in ("PR303", "PR304")


def test_templates_cannot_leave_the_search_path(env, tmp_path):
    (tmp_path.parent / "secret.j2").write_text("secret", encoding="utf-8")
    with pytest.raises(TemplateError) as exc:
        render_template(env(**{"t.j2": '{% include "../secret.j2" %}'}), "t.j2", {})
    assert exc.value.problems[0].code == "PR302"
