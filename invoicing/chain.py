"""The hash chain of issued documents: canonical content, hashing and verification."""

import hashlib
import json
from dataclasses import dataclass

from .models import Invoice

GENESIS = "0" * 64


def canonical_content(invoice: Invoice) -> dict:
    """The frozen content of an issued document, as plain JSON-able values."""
    content = {
        "kind": invoice.kind,
        "legal_entity": invoice.legal_entity_id,
        "series": invoice.series.code if invoice.series is not None else "",
        "year": invoice.year,
        "number": invoice.number,
        "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else None,
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "currency": invoice.currency,
        "structured_reference": invoice.structured_reference,
        "buyer_reference": invoice.buyer_reference,
        "order_reference": invoice.order_reference,
        "unit": invoice.unit_id,
        "client": invoice.client_id,
        "credited_invoice": invoice.credited_invoice_id,
        "seller": invoice.seller,
        "buyer": invoice.buyer,
        "lines": [
            {
                "position": line.position,
                "description": line.description,
                "quantity": str(line.quantity),
                "unit_code": line.unit_code,
                "unit_price": str(line.unit_price),
                "vat_category": line.vat_category,
                "vat_rate": str(line.vat_rate),
                "exemption_reason": line.exemption_reason_id,
                "net_amount": str(line.net_amount),
            }
            # Sorted here rather than ordered by the database: a prefetch (verify_chain,
            # invoice_issue) is used as it is, without a query per document.
            for line in sorted(invoice.lines.all(), key=lambda line: line.position)
        ],
        "net_total": str(invoice.net_total),
        "vat_total": str(invoice.vat_total),
        "total": str(invoice.total),
    }
    # Documents issued before the date of supply was kept have none: their content, and so
    # their hash, stays what it was.
    if invoice.supply_date is not None:
        content["supply_date"] = invoice.supply_date.isoformat()
    if invoice.supply_period_end is not None:
        content["supply_period_end"] = invoice.supply_period_end.isoformat()
    return content


def compute_hash(previous_hash: str, content: dict) -> str:
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((previous_hash + payload).encode()).hexdigest()


@dataclass
class ChainBreak:
    invoice: Invoice
    problem: str


def verify_chain(series_id: int, year: int) -> ChainBreak | None:
    """Recompute one chain; return its first broken link, or None when it holds."""
    previous = GENESIS
    expected_number = 1
    documents = (
        Invoice.objects.filter(series_id=series_id, year=year, status=Invoice.Status.ISSUED)
        .select_related("series")
        .prefetch_related("lines")
        .order_by("number")
    )
    for invoice in documents.iterator(chunk_size=500):
        if invoice.number != expected_number:
            return ChainBreak(invoice, f"number {expected_number} is missing")
        if invoice.previous_hash != previous:
            return ChainBreak(invoice, "its previous hash does not match the previous document")
        if compute_hash(previous, canonical_content(invoice)) != invoice.hash:
            return ChainBreak(invoice, "its content does not match its hash")
        previous = invoice.hash
        expected_number += 1
    return None
