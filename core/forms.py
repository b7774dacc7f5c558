"""Form plumbing shared by the apps' portal forms: widgets, and a service's errors on a form."""

from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def field_label(model: type[models.Model], name: str) -> "StrOrPromise":
    """A model field's verbose name as a form label: capitalised, and lazy (translated when
    the page is rendered, in the language of the request)."""
    return capfirst(getattr(model._meta.get_field(name), "verbose_name", name))


def not_in_the_future(day: date) -> None:
    """A validator: the day can't be after today (a date something happened on)."""
    if day > timezone.localdate():
        raise ValidationError(gettext("The date can't be in the future."))


class DateInput(forms.DateInput):
    """The browser's date picker (ISO dates, whatever the language of the page)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _attributes(attrs: dict[str, Any]) -> SafeString:
    """An element's attributes as Django's widget templates write them: False left out, True
    as a bare name."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class PlainSelect(forms.Select):
    """A <select> written directly, the same element as Django's Select: its templates render
    each option through two template includes, a fifth of the portal's invoice list for a
    member with many clients (profiled). For the long lists (a member's clients, units)."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts: list[str] = [
            format_html('<select name="{}"{}>', widget["name"], _attributes(widget["attrs"]))
        ]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    str(option["value"]),
                    _attributes(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308  (each part escaped by format_html)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
