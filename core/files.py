"""Private files: every stored file (PDFs, receipts, UBL, payout files, logos) is served only
through `private_file`, which checks that the user may see the row holding it.

There is no public media URL: the default storage's `url()` points to this view, so every
link a template, the admin (file widgets, read-only fields) or a serializer makes from
`field.url` is access-checked too. Who may see a file:

- staff, when the model's ModelAdmin lets them view that very row (`has_view_permission` and
  its `get_queryset`, office scope included) and, while staff MFA is required, once they set
  up their second factor;
- a member, when the app that owns the model registered an owner check for it
  (`private_file_owner`), usually the portal's own `get_own_<thing>_or_404`.

Anybody else gets a 404 (an anonymous visitor is sent to the login page). Behind nginx,
settings.PRIVATE_FILES_X_ACCEL_PREFIX hands the sending to the web server (X-Accel-Redirect
to an `internal` location) once the check passed.
"""

import mimetypes
import posixpath
from collections.abc import Callable, Iterator

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.module_loading import import_string

from .middleware import staff_has_mfa

OwnerCheck = Callable[[object, models.Model], bool]

_owner_checks: dict[str, tuple[OwnerCheck | str, str]] = {}


class PrivateFileSystemStorage(FileSystemStorage):
    """The file system, with URLs that go through the access-checked view."""

    def url(self, name: str | None) -> str:
        if not name:
            raise ValueError("This file is not stored.")
        return reverse("private_file", args=[name.replace("\\", "/")])


def private_file_owner(model_label: str, check: OwnerCheck | str, *, pk_attr: str = "pk") -> None:
    """Let members see the files of `model_label` ("app.Model") when `check` says so.

    `check` is a callable (request, obj) → bool, or the dotted path of a portal getter
    `get_own_<thing>_or_404(request, pk)` (called with `getattr(obj, pk_attr)`).
    """
    _owner_checks[model_label] = (check, pk_attr)


def _owner_allows(request: HttpRequest, obj: models.Model) -> bool:
    entry = _owner_checks.get(obj._meta.label)
    if entry is None:
        return False
    check, pk_attr = entry
    if isinstance(check, str):
        getter = import_string(check)
        try:
            getter(request, getattr(obj, pk_attr))
        except Http404:
            return False
        return True
    return bool(check(request, obj))


def _staff_allows(request: HttpRequest, obj: models.Model) -> bool:
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    if settings.SMARTCOOP_STAFF_MFA_REQUIRED and not staff_has_mfa(user):
        return False
    model_admin = admin.site._registry.get(type(obj))
    if model_admin is None or not model_admin.has_view_permission(request, obj):
        return False
    return model_admin.get_queryset(request).filter(pk=obj.pk).exists()


def _static_prefix(field: models.FileField) -> str:
    upload_to = field.upload_to if isinstance(field.upload_to, str) else ""
    return upload_to.split("%", 1)[0]


def file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    """(model, field) for every FileField (and ImageField) of the project's models."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field


def _rows_holding(name: str) -> Iterator[models.Model]:
    for model, field in file_fields():
        if name.startswith(_static_prefix(field)):
            obj = model._default_manager.filter(**{field.name: name}).first()
            if obj is not None:
                yield obj


def _send(name: str) -> HttpResponseBase:
    filename = posixpath.basename(name)
    prefix = settings.PRIVATE_FILES_X_ACCEL_PREFIX
    response: HttpResponseBase
    if prefix:
        response = HttpResponse()
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + name
        response["Content-Type"] = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        try:
            handle = default_storage.open(name, "rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        # Always a download: an uploaded receipt must never render as a page of this site.
        response = FileResponse(handle, as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def private_file(request: HttpRequest, name: str) -> HttpResponseBase:
    """The stored file `name`, to a user who may see a row holding it; 404 for anyone else."""
    if ".." in name.split("/") or name.startswith("/"):
        raise Http404
    for obj in _rows_holding(name):
        if _staff_allows(request, obj) or _owner_allows(request, obj):
            return _send(name)
    raise Http404
