"""Dimona: the declaration of each employment to the social security (ONSS) before the work
starts. The real channel (ONSS web service or batch) is out of reach here: a channel is a class
with `send(declarations)`, chosen by the DIMONA_CHANNEL setting; the default writes one file per
batch in a folder (DIMONA_EXPORT_DIR), for an operator or a batch uploader to pick up.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.audit import audit_log
from payroll.models import DimonaDeclaration


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
                "end": declaration.end_date.isoformat(),
                "contract_type": declaration.contract_type_code,
                "contract": declaration.contract.reference,
            }
            for declaration in declarations
        ]
        path.write_text(json.dumps({"declarations": records}, indent=2), encoding="utf-8")
        return str(path), [ChannelResult(declaration.pk, None) for declaration in declarations]


def channel():
    path = getattr(settings, "DIMONA_CHANNEL", "") or "payroll.work.dimona.FolderChannel"
    return import_string(path)()


def dimona_send_pending(*, by=None, send_channel=None) -> int:
    """Send every pending declaration through the channel, in one batch; returns how many.
    Rows are locked (skip locked): two workers never send the same declaration."""
    send_channel = send_channel or channel()
    with transaction.atomic():
        pending = list(
            DimonaDeclaration.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=DimonaDeclaration.Status.PENDING)
            .select_related("contract")
            .order_by("pk")
        )
        if not pending:
            return 0
        location, results = send_channel.send(pending)
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
