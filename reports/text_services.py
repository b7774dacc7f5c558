"""Writes of the narrative sections of the yearly reports (reports.models.ReportText): the
board writes a draft, edits it, approves it; an approved text is never changed (editing it
starts a new draft), and the report uses the last approved version. Every step is audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.roles import require_board
from core.types import AnyUser
from members.models import User

from .models import ReportText
from .principles_report import NARRATIVES


def report_text_write(*, year: int, section: str, text: str, by: AnyUser) -> ReportText:
    """A new draft of a section (the first one, or the next version of an approved one)."""
    require_board(by)
    if section not in NARRATIVES:
        raise ValidationError(_("This section is not part of the report."))
    draft = ReportText.objects.create(
        year=year, section=section, text=text.strip(), written_by=_user(by)
    )
    audit_log(actor=by, action="report_text_written", obj=draft, changes={"text": draft.text})
    return draft


def report_text_edit(*, draft: ReportText, text: str, by: AnyUser) -> ReportText:
    """Change a draft's text; an approved text is kept as it is (write a new draft)."""
    require_board(by)
    if draft.status != ReportText.Status.DRAFT:
        raise PermissionDenied(_("An approved text is not changed: write a new draft."))
    before = draft.text
    draft.text = text.strip()
    draft.written_by = _user(by)
    draft.save(update_fields=["text", "written_by", "written_at"])
    audit_log(
        actor=by, action="report_text_edited", obj=draft, changes={"text": [before, draft.text]}
    )
    return draft


def report_text_approve(*, draft: ReportText, by: AnyUser) -> ReportText:
    """Approve a draft: from now on the report prints it (until a later version is approved)."""
    require_board(by)
    if draft.status != ReportText.Status.DRAFT:
        raise ValidationError(_("This text is already approved."))
    draft.status = ReportText.Status.APPROVED
    draft.approved_by = _user(by)
    draft.approved_at = timezone.now()
    draft.save(update_fields=["status", "approved_by", "approved_at"])
    audit_log(actor=by, action="report_text_approved", obj=draft)
    return draft


def _user(by: AnyUser) -> User | None:
    return by if isinstance(by, User) else None
