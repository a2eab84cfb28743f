"""Form widgets of the public pages."""

from django import forms
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe


def _text(value) -> str:
    # How a template writes a variable: localized (numbers), then escaped unless safe.
    return conditional_escape(localize(value))


def _attrs(attrs: dict) -> str:
    # Django's widgets/attrs.html: True gives a bare name, False leaves the attribute out.
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _option(option: dict) -> str:
    # Django's checkbox_option.html, input_option.html and input.html, newlines included.
    value = "" if option["value"] is None else f' value="{escape(option["value"])}"'
    control = (
        f'<input type="{conditional_escape(option["type"])}" '
        f'name="{conditional_escape(option["name"])}"{value}{_attrs(option["attrs"])}>\n'
    )
    if not option["wrap_label"]:
        return control + "\n\n"
    label_id = option["attrs"].get("id")
    label_for = f' for="{conditional_escape(label_id)}"' if label_id else ""
    return f"<label{label_for}>{control} {_text(option['label'])}</label>\n\n"


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Django's CheckboxSelectMultiple, its markup written in Python, character for character.

    Django draws every option through four nested templates: the matrix's filter lists every
    framework and category, so with 100 frameworks and 30 categories the form cost more than
    the filtered table it sits above, and broke the benchmark's scale figure. Same name, so
    `field.widget_type` is unchanged. tests/comparisons/test_widgets.py holds this rendering
    equal to Django's.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        # Django's multiple_input.html (the renderer strips the outer whitespace).
        widget_id = widget["attrs"].get("id")
        widget_class = widget["attrs"].get("class")
        parts = [
            "<div",
            f' id="{conditional_escape(widget_id)}"' if widget_id else "",
            f' class="{conditional_escape(widget_class)}"' if widget_class else "",
            ">",
        ]
        for group, options, _ in widget["optgroups"]:
            if group:
                parts.append(f"\n  <div><label>{_text(group)}</label>")
            parts.extend(f"<div>\n    {_option(option)}</div>" for option in options)
            if group:
                parts.append("\n  </div>")
        parts.append("\n</div>")
        return mark_safe("".join(parts))
