"""200 invoices issued in one series from 8 parallel connections, some rolled back on
purpose: the numbers that remain are consecutive, without gaps or duplicates."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction

from invoicing.chain import verify_chain
from invoicing.invoice_services import invoice_create, invoice_issue
from invoicing.models import Invoice
from production_units.models import LedgerEntry
from tests.invoicing_helpers import line, make_client

pytestmark = [
    # serialized_rollback: the reference data of the migrations (offices, series…) is put back
    # after the flush that ends a transactional test, for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's locking"),
]

WORKERS = 8
KEPT = 200
ROLLED_BACK = 24


class PlannedRollback(Exception):
    pass


def test_parallel_issuing_leaves_no_gap_and_no_duplicate(alice, alice_3en1, claire, monkeypatch):
    monkeypatch.setattr("invoicing.invoice_services._enqueue_documents", lambda pk: None)
    monkeypatch.setattr("invoicing.tasks.send_document.delay", lambda *args: None)
    client = make_client(alice, alice_3en1, verify_by=claire)
    drafts = [
        invoice_create(by=alice, unit=alice_3en1, client=client, lines=[line()]).pk
        for _ in range(KEPT + ROLLED_BACK)
    ]
    # Every 9th issue (by position in the list) is rolled back after taking its number.
    plan = [(pk, index % 9 == 8) for index, pk in enumerate(drafts)]
    assert sum(rollback for _, rollback in plan) == ROLLED_BACK
    chunks = [plan[i::WORKERS] for i in range(WORKERS)]
    errors = []
    barrier = threading.Barrier(WORKERS)

    def work(chunk):
        try:
            barrier.wait()
            for pk, rollback in chunk:
                try:
                    with transaction.atomic():
                        invoice_issue(invoice=Invoice(pk=pk), by=alice)
                        if rollback:
                            raise PlannedRollback
                except PlannedRollback:
                    pass
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    issued = Invoice.objects.issued().filter(unit=alice_3en1, kind=Invoice.Kind.INVOICE)
    numbers = list(issued.values_list("number", flat=True))
    assert len(numbers) == KEPT
    assert max(Counter(numbers).values()) == 1
    assert len(numbers) == max(numbers) - min(numbers) + 1
    assert min(numbers) == 1
    # Rolled-back drafts kept no number and posted nothing.
    assert Invoice.objects.filter(pk__in=drafts, number__isnull=True).count() == ROLLED_BACK
    assert LedgerEntry.objects.filter(kind="turnover", source_id__in=map(str, drafts)).count() == (
        KEPT
    )
    first = issued.first()
    assert verify_chain(first.series_id, first.year) is None
