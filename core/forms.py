"""Form plumbing shared by the apps' portal forms: widgets, and a service's errors on a form."""

from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
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


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
