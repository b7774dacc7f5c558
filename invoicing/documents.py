"""Rendering of an issued document's files (PDF and UBL), stored once."""

from django.core.files.base import ContentFile

from .models import Invoice


def invoice_documents_render(*, invoice: Invoice) -> Invoice:
    """Write the UBL and the PDF of an issued document if not written yet."""
    if not invoice.is_issued:
        return invoice
    name = f"{invoice.display_number}"
    update = []
    if not invoice.ubl:
        from .ubl import build_ubl

        invoice.ubl.save(f"{name}.xml", ContentFile(build_ubl(invoice)), save=False)
        update.append("ubl")
    if not invoice.pdf:
        from .pdf import render_pdf

        invoice.pdf.save(f"{name}.pdf", ContentFile(render_pdf(invoice)), save=False)
        update.append("pdf")
    if update:
        Invoice.objects.filter(pk=invoice.pk).update(
            **{f: getattr(invoice, f).name for f in update}
        )
    return invoice
