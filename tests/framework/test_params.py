"""Placeholders: one pass, no code, unknown names refused with their field."""

from __future__ import annotations

import pytest

from qmsdocs.errors import ActionRefused
from qmsdocs.framework.params import (
    UnknownPlaceholder,
    parameter_values,
    placeholders,
    render,
)
from qmsdocs.model import FollowedFramework, FrameworkDeclaration

VALUES = {"agency_name": "UBND xã Tân Lập", "head_title": "Chủ tịch", "days": 5}


def test_placeholders_are_replaced_in_every_text_value_but_not_in_keys() -> None:
    data = {
        "title": "Quy trình tại {{agency_name}}",
        "steps": [{"no": 1, "responsible": "{{ head_title }}", "time": "{{ days }} ngày"}],
        "{{ agency_name }}": "key kept",
    }
    assert render(data, VALUES) == {
        "title": "Quy trình tại UBND xã Tân Lập",
        "steps": [{"no": 1, "responsible": "Chủ tịch", "time": "5 ngày"}],
        "{{ agency_name }}": "key kept",
    }


@pytest.mark.parametrize(
    "title",
    [
        "{{ 7*7 }}",
        "{% for x in range(9) %}x{% endfor %}",
        "{{ x.__class__ }}",
        "{{ agency_name.upper() }}",
        "{{ agency_name | safe }}",
        "${agency_name} and {agency_name}",
    ],
)
def test_template_syntax_in_a_title_renders_as_text(title: str) -> None:
    assert render({"title": title}, VALUES) == {"title": title}


def test_a_value_holding_placeholders_is_inserted_as_text_never_rendered_again() -> None:
    values = {"agency_name": "{{ head_title }} {{ 7*7 }} {% raw %}", "head_title": "X"}
    assert render({"title": "{{ agency_name }}"}, values) == {
        "title": "{{ head_title }} {{ 7*7 }} {% raw %}"
    }


def test_an_unknown_placeholder_names_file_and_field() -> None:
    with pytest.raises(UnknownPlaceholder) as caught:
        render({"steps": [{"action": "Gửi {{ ward }}"}]}, VALUES, file="procedures/QT-01.yaml")
    error = caught.value
    assert error.file == "procedures/QT-01.yaml" and error.field == "steps #1 › action"
    assert "{{ ward }}" in str(error) and "\n" not in str(error)
    assert [(p.field, p.name) for p in placeholders({"a": ["{{ x }}", "{{y}}"]})] == [
        ("a #1", "x"),
        ("a #2", "y"),
    ]


def test_parameter_values_take_the_agency_s_then_the_default() -> None:
    declaration = FrameworkDeclaration.model_validate(
        {
            "name": "mo-hinh",
            "parameters": [
                {"name": "agency_name", "meaning": "Tên cơ quan"},
                {"name": "days", "meaning": "Số ngày", "type": "int", "default": 3},
            ],
        }
    )
    followed = FollowedFramework(name="mo-hinh", url="x", parameters={"agency_name": "UBND"})
    assert parameter_values(declaration, followed) == {"agency_name": "UBND", "days": 3}
    with pytest.raises(ActionRefused, match="agency_name"):
        parameter_values(declaration, FollowedFramework(name="mo-hinh", url="x"))
    wrong = FollowedFramework(name="mo-hinh", url="x", parameters={"agency_name": "A", "days": "x"})
    with pytest.raises(ActionRefused, match="whole number"):
        parameter_values(declaration, wrong)
