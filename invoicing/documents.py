"""Rendering of an issued document's files (PDF and UBL), stored once."""

from django.core.files.base import ContentFile
from django.db import transaction

from .models import Invoice
from .ubl import build_ubl


def invoice_documents_render(*, invoice: Invoice) -> Invoice:
    """Write the UBL and the PDF of an issued document if not written yet: once, whoever asks
    at the same time (the render task, the sending task, a download).

    The invoice row is locked while its files are written, and what is stored is read again
    under the lock: a second renderer waits, then finds the files and writes nothing. A file
    left at the target name by a render that died before its commit is replaced, not kept
    beside the new one.
    """
    if not invoice.is_issued or not (_missing(invoice.ubl) or _missing(invoice.pdf)):
        return invoice
    with transaction.atomic():
        stored = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("legal_entity", "series")
            .get(pk=invoice.pk)
        )
        update = {}
        if _missing(stored.ubl):
            update["ubl"] = _save(stored, "ubl", ".xml", build_ubl(stored))
        if _missing(stored.pdf):
            from .pdf import render_pdf  # imports WeasyPrint: only when a PDF is rendered

            update["pdf"] = _save(stored, "pdf", ".pdf", render_pdf(stored))
        if update:
            Invoice.objects.filter(pk=stored.pk).update(**update)
    invoice.ubl, invoice.pdf = stored.ubl, stored.pdf
    return invoice


def _missing(field) -> bool:
    """Never written, or written and since lost from the storage (restored backup)."""
    return not field or not field.storage.exists(field.name)


def _save(invoice: Invoice, name: str, suffix: str, content: bytes) -> str:
    field = getattr(invoice, name)
    filename = f"{invoice.display_number}{suffix}"
    target = field.field.generate_filename(invoice, filename)
    if field.storage.exists(target):  # nobody refers to it: this row had no file
        field.storage.delete(target)
    field.save(filename, ContentFile(content), save=False)
    return field.name
