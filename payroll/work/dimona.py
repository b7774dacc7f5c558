"""Dimona: the declaration of each employment to the social security (ONSS) before the work
starts (IN), of its end (OUT) and of its cancellation before it starts (CANCEL). The real
channel (ONSS web service or batch) is out of reach here: a channel is a class with
`send(declarations)` and `acknowledgements()`, chosen by the DIMONA_CHANNEL setting; the
default writes one file per batch in a folder (DIMONA_EXPORT_DIR), for an operator or a batch
uploader to pick up, and reads the answers they drop in its `acks/` subfolder:

    {"declarations": [{"id": 12, "accepted": true, "reference": "DIM-…"},
                      {"id": 13, "accepted": false, "message": "unknown worker"}]}

A read file goes to `acks/done/`; one that can't be read to `acks/errors/`, with the reason
beside it (`<file>.error.txt`). A refused declaration stays on the contract, listed for the
advisors (Dimona declarations › status: refused), with the channel's message; once the cause
is corrected (the worker's file, the contract's end date) an advisor sends it again
(`dimona_retry`: a new row, the refused one kept in the history).

An OUT (the employment ends before its planned end, or an open-ended one ends) and a CANCEL
(a contract cancelled before it starts) name the IN they are about: they wait until that IN
has gone out, and are withdrawn, not sent, when the IN was refused (there is nothing to end or
cancel at the ONSS). Each record in the file carries the IN's id and reference.
"""

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.audit import audit_log
from payroll.models import Contract, ContractType, DimonaDeclaration

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChannelResult:
    """What the channel says about one declaration."""

    declaration_id: int
    accepted: bool | None  # None: sent, no answer yet
    reference: str = ""
    message: str = ""


class FolderChannel:
    """Writes the declarations of a batch to `<folder>/dimona-<timestamp>-<first id>.json`."""

    def __init__(self, folder: str | Path | None = None):
        default = Path(settings.MEDIA_ROOT) / "dimona"
        self.folder = Path(folder or getattr(settings, "DIMONA_EXPORT_DIR", "") or default)

    def send(self, declarations: list[DimonaDeclaration]) -> tuple[str, list[ChannelResult]]:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"dimona-{stamp}-{declarations[0].pk}.json"
        records = [
            {
                "id": declaration.pk,
                "type": declaration.kind,
                "employer": declaration.employer_number,
                "worker": declaration.worker_national_number,
                "start": declaration.start_date.isoformat(),
                # An open-ended employment is declared IN without an end (its OUT gives it).
                "end": (
                    None
                    if declaration.kind == DimonaDeclaration.Kind.IN
                    and declaration.contract_type_code == ContractType.OPEN_ENDED
                    else declaration.end_date.isoformat()
                ),
                "contract_type": declaration.contract_type_code,
                "contract": declaration.contract.reference,
                "in_id": declaration.in_declaration_id,
                "in_reference": (
                    declaration.in_declaration.channel_reference
                    if declaration.in_declaration
                    else ""
                ),
            }
            for declaration in declarations
        ]
        path.write_text(json.dumps({"declarations": records}, indent=2), encoding="utf-8")
        return str(path), [ChannelResult(declaration.pk, None) for declaration in declarations]

    def acknowledgements(self) -> list[tuple[str, list[ChannelResult] | str]]:
        """The answer files dropped in `acks/`, oldest first: (file, its results) or (file,
        why it can't be read). Each file is moved out of `acks/` once read."""
        inbox = self.folder / "acks"
        if not inbox.is_dir():
            return []
        answers: list[tuple[str, list[ChannelResult] | str]] = []
        for path in sorted(inbox.glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name)):
            try:
                results = _parse_acknowledgement(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as error:
                target = inbox / "errors" / path.name
                target.parent.mkdir(exist_ok=True)
                path.replace(target)
                target.with_name(target.name + ".error.txt").write_text(str(error), "utf-8")
                answers.append((str(target), str(error)))
                continue
            target = inbox / "done" / path.name
            target.parent.mkdir(exist_ok=True)
            path.replace(target)
            answers.append((str(target), results))
        return answers


def _parse_acknowledgement(text: str) -> list[ChannelResult]:
    """The results of an answer file; ValueError naming what is wrong."""
    data = json.loads(text)
    rows = data.get("declarations") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise ValueError("no 'declarations' list")
    results = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("id"), int):
            raise ValueError(f"declaration {index + 1}: no numeric 'id'")
        if not isinstance(row.get("accepted"), bool):
            raise ValueError(f"declaration {index + 1}: 'accepted' is true or false")
        results.append(
            ChannelResult(
                row["id"],
                row["accepted"],
                str(row.get("reference", ""))[:100],
                str(row.get("message", "")),
            )
        )
    return results


def channel():
    path = getattr(settings, "DIMONA_CHANNEL", "") or "payroll.work.dimona.FolderChannel"
    return import_string(path)()


# --- recording ------------------------------------------------------------------------------


def live_in(contract: Contract) -> DimonaDeclaration | None:
    """The contract's IN that stands (not refused, not withdrawn), if any."""
    return (
        contract.dimonas.filter(kind=DimonaDeclaration.Kind.IN)
        .exclude(status__in=DimonaDeclaration.CLOSED)
        .first()
    )


def dimona_record(
    *,
    contract: Contract,
    kind: str,
    in_declaration: DimonaDeclaration | None = None,
    retry_of: DimonaDeclaration | None = None,
) -> DimonaDeclaration:
    """A declaration of `kind` to send, with the contract's data as it is now (the worker's
    national number, the employer, the dates). Called inside the caller's transaction."""
    return DimonaDeclaration.objects.create(
        contract=contract,
        kind=kind,
        in_declaration=in_declaration,
        retry_of=retry_of,
        start_date=contract.start_date,
        end_date=contract.end_date,
        worker_national_number=contract.worker.national_number,
        employer_number=contract.legal_entity.enterprise_number,
        contract_type_code=contract.contract_type.code,
    )


def dimona_withdraw(*, declaration: DimonaDeclaration, by: object, message: str) -> None:
    """A declaration not sent and no longer needed: withdrawn (kept, with why), audited."""
    declaration.status = DimonaDeclaration.Status.WITHDRAWN
    declaration.message = message
    declaration.save(update_fields=["status", "message"])
    audit_log(
        actor=by,
        action="dimona.withdrawn",
        obj=declaration,
        changes={"status": declaration.status},
        reason=message,
    )


# --- sending and answers --------------------------------------------------------------------


def _withdraw_orphans(by: object) -> None:
    """OUT and CANCEL declarations whose IN was refused or withdrawn: nothing to end or
    cancel at the ONSS, so they are withdrawn rather than sent."""
    orphans = DimonaDeclaration.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        status=DimonaDeclaration.Status.PENDING,
        in_declaration__status__in=DimonaDeclaration.CLOSED,
    )
    for declaration in orphans:
        dimona_withdraw(
            declaration=declaration,
            by=by,
            message=_("Not sent: the IN it is about was refused or withdrawn."),
        )


def dimona_send_pending(*, by=None, send_channel=None) -> int:
    """Send every pending declaration through the channel, in one batch; returns how many.
    An OUT or CANCEL waits until its IN has gone out. Rows are locked (skip locked): two
    workers never send the same declaration."""
    send_channel = send_channel or channel()
    with transaction.atomic():
        _withdraw_orphans(by)
        gone_out = (DimonaDeclaration.Status.SENT, DimonaDeclaration.Status.ACCEPTED)
        pending = list(
            DimonaDeclaration.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=DimonaDeclaration.Status.PENDING)
            .filter(Q(in_declaration__isnull=True) | Q(in_declaration__status__in=gone_out))
            .select_related("contract", "in_declaration")
            .order_by("pk")
        )
        if not pending:
            return 0
        try:
            location, results = send_channel.send(pending)
        except OSError as error:
            # Nothing left: the declarations stay to send, the next run tries again.
            message = _("Not sent: %(error)s") % {"error": error}
            for declaration in pending:
                declaration.message = message
                audit_log(actor=by, action="dimona.send_failed", obj=declaration, reason=str(error))
            DimonaDeclaration.objects.bulk_update(pending, ["message"])
            logger.warning("Dimona: %s declarations not sent: %s", len(pending), error)
            return 0
        now = timezone.now()
        by_id = {result.declaration_id: result for result in results}
        for declaration in pending:
            result = by_id[declaration.pk]
            declaration.status = (
                DimonaDeclaration.Status.SENT
                if result.accepted is None
                else DimonaDeclaration.Status.ACCEPTED
                if result.accepted
                else DimonaDeclaration.Status.REFUSED
            )
            declaration.file = location
            declaration.channel_reference = result.reference
            declaration.message = result.message
            declaration.sent_at = now
            audit_log(
                actor=by,
                action="dimona.sent",
                obj=declaration,
                changes={"status": declaration.status, "file": location},
            )
        DimonaDeclaration.objects.bulk_update(
            pending, ["status", "file", "channel_reference", "message", "sent_at"]
        )
    return len(pending)


def dimona_read_acknowledgements(*, by=None, send_channel=None) -> dict[str, int]:
    """Record the channel's answers: a sent declaration becomes accepted (with the channel's
    reference) or refused (with its message). An answer about an unknown declaration, or one
    not waiting for an answer, is skipped and counted; an unreadable file is counted too.
    Returns the counts: accepted, refused, skipped, unreadable."""
    send_channel = send_channel or channel()
    read = getattr(send_channel, "acknowledgements", None)
    counts = {"accepted": 0, "refused": 0, "skipped": 0, "unreadable": 0}
    if read is None:
        return counts
    for location, answer in read():
        if isinstance(answer, str):
            counts["unreadable"] += 1
            logger.warning("Dimona: answer file %s can't be read: %s", location, answer)
            continue
        with transaction.atomic():
            waiting = {
                declaration.pk: declaration
                for declaration in DimonaDeclaration.objects.select_for_update().filter(
                    pk__in=[result.declaration_id for result in answer],
                    status=DimonaDeclaration.Status.SENT,
                )
            }
            for result in answer:
                declaration = waiting.pop(result.declaration_id, None)
                if declaration is None:
                    counts["skipped"] += 1
                    continue
                declaration.status = (
                    DimonaDeclaration.Status.ACCEPTED
                    if result.accepted
                    else DimonaDeclaration.Status.REFUSED
                )
                declaration.channel_reference = result.reference or declaration.channel_reference
                declaration.message = result.message
                declaration.save(update_fields=["status", "channel_reference", "message"])
                counts["accepted" if result.accepted else "refused"] += 1
                audit_log(
                    actor=by,
                    action="dimona.accepted" if result.accepted else "dimona.refused",
                    obj=declaration,
                    changes={"status": declaration.status, "answer": location},
                    reason=result.message,
                )
    return counts
