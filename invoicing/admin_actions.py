"""Shared pieces of the invoicing back-office: finding an invoice by what people type, and
file uploads. Actions with an intermediate page are core.admin_kit's."""

import re
from collections.abc import Callable

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
