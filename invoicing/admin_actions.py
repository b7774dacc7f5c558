"""Shared pieces of the invoicing back-office: finding an invoice by what people type,
actions that ask for something first (a reason, an invoice, a unit), and file uploads.

Every action calls a service per object; what the service refuses is shown, nothing else
changes.
"""

import re
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_kit import add_service_error

# An action's intermediate page lists the chosen rows; beyond this, choose fewer.
SELECTION_LIMIT = 500
NOTHING = "—"

DISPLAY_NUMBER = re.compile(r"^([A-Za-z]{1,8})\s*-\s*(\d{4})\s*-\s*(\d{1,6})$")
REFERENCE_NOISE = re.compile(r"[\s+*/.]")


def invoices_matching(invoices: QuerySet, term: str) -> QuerySet | None:
    """The invoices a typed number or structured reference names, or None when the term is
    neither: "F-2026-000012" (series, year, number), "+++112/6000/01247+++", "112600001247"
    (the structured reference, with or without its +++ or *** and slashes)."""
    term = (term or "").strip()
    number = DISPLAY_NUMBER.match(term)
    if number:
        code, year, value = number.groups()
        return invoices.filter(series__code__iexact=code, year=int(year), number=int(value))
    digits = REFERENCE_NOISE.sub("", term)
    if len(digits) == 12 and digits.isdigit():
        return invoices.filter(structured_reference=digits)
    return None


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on their parent's page, never edited there."""

    extra = 0
    max_num = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Actions with an intermediate page --------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("Kept in the audit trail."),
    )


def run_action_with_form(
    model_admin,
    request,
    queryset,
    *,
    form_class: type[forms.Form],
    title: str,
    apply: Callable,
    done_message,
    form_kwargs: dict | None = None,
    intro: str = "",
):
    """The intermediate page of an action: show the chosen rows and a form; once posted
    back valid ("apply"), call `apply(obj, cleaned_data)` for each row, then say
    `done_message` (an ngettext_lazy(…, "count")) of how many were done.

    `apply` calls one service. A refusal naming a field of the form (an empty reason) shows
    the page again with the message, before anything changed; any other refusal is
    reported for its row and the others go on.
    """
    form_kwargs = form_kwargs or {}
    objects = list(queryset[: SELECTION_LIMIT + 1])
    if len(objects) > SELECTION_LIMIT:
        _too_many(model_admin, request)
        return None
    if "apply" in request.POST:
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            done, problems = 0, []
            for obj in objects:
                try:
                    apply(obj, form.cleaned_data)
                except ValidationError as error:
                    if _names_a_field_of(form, error):
                        add_service_error(form, error)
                        break
                    problems.append((obj, error.messages))
                except PermissionDenied as error:
                    problems.append((obj, [str(error) or _("Not allowed.")]))
                else:
                    done += 1
            if form.is_valid():  # no field refused by a service
                _report(model_admin, request, done, problems, done_message)
                return None
    else:
        form = form_class(**form_kwargs)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "opts": model_admin.model._meta,
        "objects": objects,
        "form": form,
        "media": model_admin.media + form.media,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    status = 400 if form.is_bound and form.errors else 200
    return TemplateResponse(request, "admin/invoicing/action_form.html", context, status=status)


def apply_each(model_admin, request, queryset, *, apply: Callable, done_message) -> None:
    """An action without a form: `apply(obj)` (one service call) for each chosen row, each
    refusal reported for its row."""
    objects = list(queryset[: SELECTION_LIMIT + 1])
    if len(objects) > SELECTION_LIMIT:
        _too_many(model_admin, request)
        return
    done, problems = 0, []
    for obj in objects:
        try:
            apply(obj)
        except ValidationError as error:
            problems.append((obj, error.messages))
        except PermissionDenied as error:
            problems.append((obj, [str(error) or _("Not allowed.")]))
        else:
            done += 1
    _report(model_admin, request, done, problems, done_message)


def _too_many(model_admin, request) -> None:
    model_admin.message_user(
        request,
        _("Choose at most %(limit)s rows for this action.") % {"limit": SELECTION_LIMIT},
        messages.WARNING,
    )


def _names_a_field_of(form, error: ValidationError) -> bool:
    return hasattr(error, "error_dict") and any(name in form.fields for name in error.error_dict)


def _report(model_admin, request, done: int, problems, done_message) -> None:
    if done:
        model_admin.message_user(request, done_message % {"count": done}, messages.SUCCESS)
    for obj, texts in problems:
        model_admin.message_user(request, f"{obj}: {' '.join(texts)}", messages.ERROR)
    if not done and not problems:
        model_admin.message_user(request, _("Nothing was changed."), messages.WARNING)


# Uploads ----------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))

    def __init__(self, *args, max_size: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_size = max_size

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_size:
            raise ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": self.max_size // 2**20}
            )
        return upload


def upload_view(
    model_admin,
    request,
    *,
    permission: str,
    title: str,
    help_text: str,
    max_size: int,
    handle: Callable[[bytes], object],
):
    """An upload page: the form, then `handle(file_bytes)` (one service call) which returns
    the response to give on success. A file the service refuses shows the form again with
    the message and status 400; the service saved nothing."""
    if not request.user.has_perm(permission):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, max_size=max_size)
        if form.is_valid():
            try:
                return handle(form.cleaned_data["file"].read())
            except ValidationError as error:
                form.add_error("file", error.messages)
        status = 400
    else:
        form = UploadForm(max_size=max_size)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "help_text": help_text,
        "opts": model_admin.model._meta,
        "form": form,
    }
    return TemplateResponse(request, "admin/invoicing/upload_form.html", context, status=status)
