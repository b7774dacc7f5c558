"""A document is rendered once: two renders of an invoice at the same moment write one file,
and a quote's PDF is stored until the quote changes instead of being laid out on every GET."""

import io
import threading
import time

import pytest
from django.db import connection, connections
from django.urls import reverse

from invoicing import quote_pdf
from invoicing.documents import invoice_documents_render
from invoicing.models import Invoice, Quote
from invoicing.quote_services import quote_create, quote_update
from tests.invoicing_helpers import issued_invoice, line, make_client

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's locking"
)


def _waiting_on_a_lock() -> bool:
    """Another connection of this test database is blocked on a row lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else frozen for the transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@postgres_only
def test_two_renders_at_once_write_one_file(alice, alice_3en1, claire, settings, monkeypatch):
    monkeypatch.setattr("invoicing.invoice_services._enqueue_documents", lambda pk: None)
    monkeypatch.setattr("invoicing.tasks.send_document.delay", lambda *args: None)
    client = make_client(alice, alice_3en1, verify_by=claire)
    invoice = issued_invoice(alice, alice_3en1, client, [line()])
    renders = []
    other_rendering = threading.Event()

    def render_pdf(inv):
        renders.append(inv.pk)
        if len(renders) > 1:
            other_rendering.set()
        # Stay in the render until the other caller renders too (no lock) or waits for the
        # lock this one holds: either way both asked at the same moment.
        deadline = time.monotonic() + 30
        while not other_rendering.is_set() and not _waiting_on_a_lock():
            assert time.monotonic() < deadline, "the other render never came"
            other_rendering.wait(0.02)
        return b"%PDF-1.7 rendered"

    monkeypatch.setattr("invoicing.pdf.render_pdf", render_pdf)
    copies = [Invoice.objects.get(pk=invoice.pk) for _ in range(2)]  # both without files
    barrier = threading.Barrier(2)
    errors = []

    def work(copy):
        try:
            barrier.wait()
            invoice_documents_render(invoice=copy)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(copy,)) for copy in copies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert renders == [invoice.pk]
    stored = Invoice.objects.get(pk=invoice.pk)
    media = settings.MEDIA_ROOT
    assert [p.relative_to(media).as_posix() for p in media.rglob("*.pdf")] == [stored.pdf.name]
    assert [p.relative_to(media).as_posix() for p in media.rglob("*.xml")] == [stored.ubl.name]
    assert {copy.pdf.name for copy in copies} == {stored.pdf.name}


@pytest.mark.django_db
def test_a_file_left_by_a_render_that_died_is_replaced_not_kept_beside(
    alice, alice_3en1, claire, settings, monkeypatch
):
    monkeypatch.setattr("invoicing.pdf.render_pdf", lambda inv: b"%PDF-1.7 new")
    client = make_client(alice, alice_3en1, verify_by=claire)
    invoice = issued_invoice(alice, alice_3en1, client, [line()])
    field = invoice.pdf
    orphan = field.field.generate_filename(invoice, f"{invoice.display_number}.pdf")
    field.storage.save(orphan, io.BytesIO(b"%PDF-1.7 half written"))

    invoice_documents_render(invoice=invoice)

    stored = Invoice.objects.get(pk=invoice.pk)
    assert stored.pdf.name == orphan
    assert len(list(settings.MEDIA_ROOT.rglob("*.pdf"))) == 1
    with stored.pdf.open("rb") as file:
        assert file.read() == b"%PDF-1.7 new"


# --- quotes -----------------------------------------------------------------------------------


@pytest.fixture
def layouts(monkeypatch):
    """Count the PDF layouts (the slow part: about 4 s for 500 lines)."""
    calls = []

    def render_html_to_pdf(html, base_url=None):
        calls.append(html)
        return f"%PDF-1.7 layout {len(calls)}".encode()

    monkeypatch.setattr(quote_pdf, "render_html_to_pdf", render_html_to_pdf)
    return calls


@pytest.fixture
def draft_quote(alice, alice_3en1):
    from invoicing.models import Client

    theatre = Client.objects.get(name="Théâtre de la Place")
    return quote_create(
        by=alice, unit=alice_3en1, client=theatre, lines=[line("Concert", "2", "300.00")]
    )


@pytest.mark.django_db
def test_a_quote_pdf_is_not_laid_out_again_on_a_second_get(
    alice_client, draft_quote, layouts, settings
):
    url = reverse("portal:quote_pdf", args=[draft_quote.pk])

    first = alice_client.get(url)
    second = alice_client.get(url)
    api = alice_client.get(reverse("api:quote-pdf", args=[draft_quote.pk]))

    assert first.status_code == second.status_code == api.status_code == 200
    assert len(layouts) == 1
    assert first.content == second.content == api.content == b"%PDF-1.7 layout 1"
    assert len(list(settings.MEDIA_ROOT.rglob("*.pdf"))) == 1


@pytest.mark.django_db
def test_a_quote_pdf_is_laid_out_again_after_an_edit_and_the_old_file_goes(
    alice_client, alice, draft_quote, layouts, settings, django_capture_on_commit_callbacks
):
    url = reverse("portal:quote_pdf", args=[draft_quote.pk])
    alice_client.get(url)

    quote_update(quote=draft_quote, by=alice, lines=[line("Concert", "3", "300.00")])
    with django_capture_on_commit_callbacks(execute=True):
        after_edit = alice_client.get(url)
    again = alice_client.get(url)

    assert len(layouts) == 2
    assert "900" in layouts[1] or "900,00" in layouts[1]
    assert after_edit.content == again.content == b"%PDF-1.7 layout 2"
    files = list(settings.MEDIA_ROOT.rglob("*.pdf"))
    assert [p.relative_to(settings.MEDIA_ROOT).as_posix() for p in files] == [
        Quote.objects.get(pk=draft_quote.pk).pdf.name
    ]


@pytest.mark.django_db
def test_a_stored_file_lost_from_the_storage_is_written_again(
    alice, alice_3en1, claire, settings, monkeypatch
):
    monkeypatch.setattr("invoicing.pdf.render_pdf", lambda inv: b"%PDF-1.7 again")
    client = make_client(alice, alice_3en1, verify_by=claire)
    invoice = issued_invoice(alice, alice_3en1, client, [line()])
    invoice_documents_render(invoice=invoice)
    stored = Invoice.objects.get(pk=invoice.pk)
    stored.pdf.storage.delete(stored.pdf.name)  # a backup restored without its media

    invoice_documents_render(invoice=Invoice.objects.get(pk=invoice.pk))

    again = Invoice.objects.get(pk=invoice.pk)
    assert again.pdf.name == stored.pdf.name
    with again.pdf.open("rb") as file:
        assert file.read() == b"%PDF-1.7 again"
