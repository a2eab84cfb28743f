"""comparisons.widgets: the checkbox list writes exactly what Django's templates write."""

import pytest
from django import forms
from django.http import QueryDict
from django.utils.safestring import mark_safe

from comparisons import widgets
from comparisons.filters import MatrixFilter
from knowledge.models import Feature

CHOICES = [
    ("django", "Django"),
    ("a&b", 'Quotes " and <tags>'),
    ("safe", mark_safe("<em>safe</em>")),
    (7, 7),
]
GROUPED = [("Group <1>", CHOICES[:2]), ("Group 2", CHOICES[2:])]


@pytest.mark.parametrize(
    ("choices", "value", "attrs"),
    [
        (CHOICES, None, {"id": "id_fw"}),
        (CHOICES, ["django", "7"], {"id": "id_fw", "class": "list <x>"}),
        (CHOICES, ["a&b"], None),
        (GROUPED, ["safe"], {"id": "id_g", "data-x": True, "hidden": False}),
        ([], None, {"id": "id_empty"}),
    ],
)
def test_the_same_markup_as_djangos_widget(choices, value, attrs):
    ours = widgets.CheckboxSelectMultiple(choices=choices).render("fw", value, attrs)
    django = forms.CheckboxSelectMultiple(choices=choices).render("fw", value, attrs)
    assert ours == django


def test_an_option_without_a_wrapping_label_is_the_same_too(monkeypatch):
    create = forms.CheckboxSelectMultiple.create_option

    def unwrapped(self, *args, **kwargs):
        return {**create(self, *args, **kwargs), "wrap_label": False}

    monkeypatch.setattr(forms.CheckboxSelectMultiple, "create_option", unwrapped)
    ours = widgets.CheckboxSelectMultiple(choices=CHOICES).render("fw", ["django"], {"id": "i"})
    django = forms.CheckboxSelectMultiple(choices=CHOICES).render("fw", ["django"], {"id": "i"})
    assert "<label" not in ours
    assert ours == django


@pytest.mark.django_db
def test_the_filter_forms_lists_render_as_django_would(monkeypatch):
    data = QueryDict("framework=b&category=c&support=yes&support=n/a")
    frameworks = [("a", "A & co"), ("b", "B")]
    categories = [("c", "C"), ("d", "<D>")]
    form = MatrixFilter(
        data, Feature.objects.all(), frameworks=frameworks, categories=categories, tags=[]
    ).form
    fields = [
        name
        for name, field in form.fields.items()
        if isinstance(field.widget, forms.CheckboxSelectMultiple)
    ]
    assert set(fields) == {"framework", "category", "support"}
    ours = {name: str(form[name]) for name in fields}
    for name in fields:
        assert isinstance(form.fields[name].widget, widgets.CheckboxSelectMultiple)
        assert form[name].widget_type == "checkboxselectmultiple"
    monkeypatch.setattr(
        widgets.CheckboxSelectMultiple, "render", forms.CheckboxSelectMultiple.render
    )
    assert ours == {name: str(form[name]) for name in fields}
