"""The back-office of the yearly reports: the narrative sections the board writes and
approves (through reports.text_services, audited), and the PDFs made (who may see a row here
may download its file: core.files asks this admin)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_kit import AuditTrailMixin, ReadOnlyAdmin, ServiceFormMixin
from core.roles import is_board, sees_everything
from core.scoping import COOPERATIVE_WIDE

from .models import ReportDocument, ReportText
from .principles_report import NARRATIVES
from .text_services import report_text_approve, report_text_edit, report_text_write


class ReportTextForm(forms.ModelForm):
    section = forms.ChoiceField(
        label=_("section"), choices=[(key, title) for key, title in NARRATIVES.items()]
    )

    class Meta:
        model = ReportText
        fields = ["year", "section", "text"]


@admin.register(ReportText)
class ReportTextAdmin(AuditTrailMixin, ServiceFormMixin, admin.ModelAdmin):
    """The board writes a section's text for a year, edits the draft, approves it. An
    approved version is read-only: saving a new text for the section makes a new draft."""

    office_path = COOPERATIVE_WIDE  # the cooperative's reports, the board's texts
    form = ReportTextForm
    list_display = ["year", "section", "status", "written_by", "written_at", "approved_by"]
    list_select_related = ["written_by", "approved_by"]
    list_filter = ["year", "section", "status"]
    actions = ["approve"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return sees_everything(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return sees_everything(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_board(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_board(request.user) and (obj is None or obj.status == ReportText.Status.DRAFT)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["year", "section"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: ReportText, form: Any, change: bool) -> None:
        if change:
            draft = ReportText.objects.get(pk=obj.pk)
            report_text_edit(draft=draft, text=obj.text, by=request.user)
        else:
            written = report_text_write(
                year=obj.year, section=obj.section, text=obj.text, by=request.user
            )
            obj.pk = written.pk

    @admin.action(description=_("Approve the selected drafts"))
    def approve(self, request: HttpRequest, queryset: QuerySet[ReportText]) -> None:
        approved = 0
        for draft in queryset.filter(status=ReportText.Status.DRAFT):
            try:
                report_text_approve(draft=draft, by=request.user)
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
            else:
                approved += 1
        self.message_user(request, gettext("%(n)s texts approved.") % {"n": approved})


@admin.register(ReportDocument)
class ReportDocumentAdmin(ReadOnlyAdmin):
    """The PDFs made, for the board and the admin role (the whole cooperative's figures)."""

    office_path = COOPERATIVE_WIDE  # the whole cooperative's figures
    list_display = ["kind", "year", "language", "status", "requested_by", "created_at"]
    list_filter = ["kind", "year", "status"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return sees_everything(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and sees_everything(request.user)
