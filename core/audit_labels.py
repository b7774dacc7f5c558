"""What an audit event's action code says, in the reader's language: the one registry of
action labels, read by the admin's audit trail and the portal's histories.

The trail stores codes ("invoice.issued"): a code registered below reads as its phrase; any
other reads by its verb (the part after the last dot: "unit.closed" → "closed"), every verb
the platform writes being listed; a code whose verb is unknown still never shows raw, it
reads as "other action". The codes of the msgids below are the ones the pages used before
this registry (invoicing, clients, jobs, declarations, contracts, expense claims), kept as
they were so that their translations hold.
"""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    # invoices, credit notes, payments, quotes
    "invoice.created": _("draft created"),
    "invoice.updated": _("draft changed"),
    "invoice.submitted": _("submitted"),
    "invoice.approved": _("approved by an advisor"),
    "invoice.rejected": _("sent back by an advisor"),
    "invoice.issued": _("issued"),
    "invoice.deleted": _("deleted"),
    "invoice.sent": _("sent to the client"),
    "invoice.sending_failed": _("sending failed"),
    "invoice.reminder_sent": _("payment reminder sent"),
    "invoice.reminders_paused": _("reminders paused by an advisor"),
    "invoice.reminders_resumed": _("reminders resumed by an advisor"),
    "credit_note.created": _("credit note drafted"),
    "payment.recorded": _("payment recorded by an advisor"),
    "payment.matched": _("payment received"),
    "quote.created": _("created"),
    "quote.updated": _("changed"),
    "quote.sent": _("marked as sent"),
    "quote.accepted": _("accepted by the client"),
    "quote.refused": _("refused by the client"),
    "quote.invoiced": _("turned into an invoice"),
    # clients
    "client.created": _("created"),
    "client.updated": _("changed"),
    "client.verified": _("verified by an advisor"),
    "client.deleted": _("deleted"),
    # 3en1 jobs, work declarations, contracts
    "job.created": _("draft created"),
    "job.updated": _("draft changed"),
    "job.submitted": _("submitted"),
    "job.validated": _("validated"),
    "job.rejected": _("sent back by an advisor"),
    "job.cancelled": _("cancelled"),
    "work_declaration.created": _("draft created"),
    "work_declaration.submitted": _("submitted"),
    "work_declaration.approved": _("approved by an advisor"),
    "work_declaration.overdraft_approved": _("overdraft approved by an advisor"),
    "work_declaration.rejected": _("rejected by an advisor"),
    "work_declaration.cancelled": _("cancelled"),
    "work_declaration.information_requested": _("your advisor asks for information"),
    "expense_claim.information_requested": _("your advisor asks for information"),
    "membership_application.information_requested": _("your advisor asks for information"),
    "contract.created": _("contract created"),
    "contract.accepted": _("accepted by the worker"),
    "contract.cancelled": _("cancelled"),
    "contract.pay_released": _("paid without acceptance, released by an advisor"),
    # expense claims
    "expense_claim.submitted": _("claim filed"),
    "expense_claim.approved": _("approved by an advisor"),
    "expense_claim.rejected": _("rejected by an advisor"),
}

# Every verb the platform's codes end with (grep 'action=' and audit_log callers).
VERB_LABELS: dict[str, Promise] = {
    "accepted": _("accepted"),
    "added": _("added"),
    "api_token_created": _("API token created"),
    "api_token_revoked": _("API token revoked"),
    "api_tokens_revoked": _("API tokens revoked"),
    "approved": _("approved"),
    "assigned": _("assigned"),
    "cancelled": _("cancelled"),
    "category_changed": _("category changed"),
    "changed": _("changed"),
    "closed": _("closed"),
    "computed": _("computed"),
    "convened": _("convened"),
    "coopted": _("co-opted"),
    "corrected": _("corrected"),
    "counted": _("counted"),
    "created": _("created"),
    "deceased": _("deceased"),
    "declined": _("declined"),
    "deferred": _("deferred"),
    "deleted": _("deleted"),
    "detached": _("detached"),
    "discarded": _("discarded"),
    "duplicated": _("duplicated"),
    "edited": _("edited"),
    "elected": _("elected"),
    "emailed": _("sent by e-mail"),
    "ended": _("ended"),
    "entered": _("entered"),
    "excluded": _("excluded"),
    "expired": _("expired"),
    "filed": _("filed"),
    "given": _("given"),
    "held": _("held"),
    "ignored": _("ignored"),
    "retried": _("sent again"),
    "imported": _("imported"),
    "in_review": _("under review"),
    "invoiced": _("invoiced"),
    "issued": _("issued"),
    "linked": _("linked"),
    "matched": _("matched"),
    "not_elected": _("not elected"),
    "on_ballot": _("put on the ballot"),
    "opened": _("opened"),
    "opinion_published": _("opinion published"),
    "overdraft_approved": _("overdraft approved"),
    "paid": _("paid"),
    "pay_released": _("pay released"),
    "payment_received": _("payment received"),
    "pdf_rendered": _("PDF produced"),
    "posted": _("posted to the ledger"),
    "posted_bulk": _("posted to the ledger"),
    "prepared": _("prepared"),
    "published": _("published"),
    "ratification_refused": _("co-optation not ratified"),
    "ratified": _("ratified"),
    "read": _("read"),
    "received": _("received"),
    "recorded": _("recorded"),
    "recurrence_started": _("repetition started"),
    "recurrence_stopped": _("repetition stopped"),
    "refused": _("refused"),
    "reimbursed": _("reimbursed"),
    "rejected": _("rejected"),
    "reminder_sent": _("payment reminder sent"),
    "reminders_paused": _("reminders paused"),
    "reminders_resumed": _("reminders resumed"),
    "removed": _("removed"),
    "rendered": _("document produced"),
    "renewed": _("renewed"),
    "representative_changed": _("representative changed"),
    "requested": _("requested"),
    "resignation": _("ended by resignation"),
    "resignation_requested": _("resignation requested"),
    "resigned": _("resigned"),
    "resumed": _("resumed"),
    "revealed": _("revealed"),
    "revoked": _("revoked"),
    "revocation": _("ended by revocation"),
    "saved": _("saved"),
    "send_failed": _("sending failed"),
    "sending_failed": _("sending failed"),
    "sending_replayed": _("sending replayed"),
    "sending_requeued": _("sending queued again"),
    "sent": _("sent"),
    "started": _("started"),
    "submitted": _("submitted"),
    "subscribed": _("subscribed"),
    "term": _("ended at the end of the term"),
    "transferred_in": _("transferred in"),
    "transferred_out": _("transferred out"),
    "updated": _("changed"),
    "uploaded": _("uploaded"),
    "used": _("used"),
    "validated": _("validated"),
    "verified": _("verified"),
    "voting_open": _("voting opened"),
    "withdrawn": _("withdrawn"),
    "written": _("written"),
}


def action_label(code: str) -> str:
    """The action `code` in the active language; never the code itself."""
    label = ACTION_LABELS.get(code)
    if label is None:
        # "member.resigned", "assembly_opened": the verb is what follows the last separator
        # that leaves a known verb.
        parts = code.replace(".", "_").split("_")
        for start in range(len(parts)):
            label = VERB_LABELS.get("_".join(parts[start:]))
            if label is not None:
                break
    return str(label) if label is not None else gettext("other action")


def history_row(event: Any, **shown: Any) -> dict[str, Any]:
    """An audit event as a row of a history a member reads: when, who (the platform when no
    one), what (the action in words) and why, with what the page shows besides (`shown`:
    the details, the changed fields)."""
    return {
        "at": event.at,
        "actor": event.actor or gettext("the platform"),
        "action": action_label(event.action),
        "reason": event.reason,
        **shown,
    }
