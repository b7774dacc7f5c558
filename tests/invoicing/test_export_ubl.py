from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from invoicing.invoice_services import credit_note_create, invoice_create, invoice_issue
from invoicing.ubl import build_ubl
from tests.invoicing_helpers import issued_invoice, line, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(alice, alice_3en1, claire):
    """Two issued invoices, a credit note on the first, and a draft."""
    client = make_client(alice, alice_3en1, verify_by=claire)
    first = issued_invoice(alice, alice_3en1, client, [line(quantity="2", unit_price="80.00")])
    second = issued_invoice(alice, alice_3en1, client, [line("Livre", unit_price="20", rate="6")])
    credit = invoice_issue(invoice=credit_note_create(invoice=first, by=alice), by=alice)
    draft = invoice_create(by=alice, unit=alice_3en1, client=client, lines=[line()])
    return first, second, credit, draft


def export(*args):
    out, err = StringIO(), StringIO()
    call_command("export_ubl", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def path_of(tmp_path, invoice):
    return tmp_path / invoice.legal_entity.code / f"{invoice.display_number}.xml"


def test_it_writes_the_named_documents_one_file_each(tmp_path, documents):
    first, second, credit, _draft = documents
    out, _ = export("--out", str(tmp_path), first.display_number, credit.display_number)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.xml"))
    assert written == [
        f"smartcoop/{first.display_number}.xml",
        f"smartcoop/{credit.display_number}.xml",
    ]
    assert path_of(tmp_path, first).read_bytes() == build_ubl(first)
    root = etree.fromstring(path_of(tmp_path, credit).read_bytes())
    assert etree.QName(root).localname == "CreditNote"
    assert "2 UBL file(s) written" in out


def test_numbers_are_matched_without_caring_for_case_or_leading_zeros(tmp_path, documents):
    first = documents[0]
    series, year, number = first.display_number.split("-")
    export("--out", str(tmp_path), f"{series.lower()}-{year}-{int(number)}")
    assert path_of(tmp_path, first).exists()


def test_all_writes_every_issued_document_and_no_draft(tmp_path, documents):
    first, second, credit, _draft = documents
    export("--out", str(tmp_path / "new" / "folder"), "--all")
    written = sorted(p.name for p in (tmp_path / "new" / "folder").rglob("*.xml"))
    assert written == sorted(f"{d.display_number}.xml" for d in (first, second, credit))


def test_an_unknown_number_is_an_error_and_nothing_is_written(tmp_path, documents):
    first = documents[0]
    with pytest.raises(CommandError, match="F-1999-000042") as raised:
        export("--out", str(tmp_path), first.display_number, "F-1999-000042")
    assert raised.value.returncode == 1
    assert list(tmp_path.rglob("*.xml")) == []


def test_a_malformed_number_is_an_error(tmp_path, documents):
    with pytest.raises(CommandError, match="Not a document number") as raised:
        export("--out", str(tmp_path), "invoice-7")
    assert raised.value.returncode == 1
    assert list(tmp_path.rglob("*")) == []


@pytest.mark.parametrize("args", [[], ["--all", "F-2026-000001"]])
def test_it_needs_either_numbers_or_all(tmp_path, args):
    with pytest.raises(CommandError, match="--all") as raised:
        export("--out", str(tmp_path), *args)
    assert raised.value.returncode == 1


def test_out_must_be_a_folder(tmp_path, documents):
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(CommandError, match="not a folder"):
        export("--out", str(target), "--all")


def test_entity_filter_keeps_only_that_entity(tmp_path, documents):
    export("--out", str(tmp_path), "--all", "--entity", "formateurs-associes")
    assert list(tmp_path.rglob("*.xml")) == []


@pytest.mark.skipif(
    not Path(settings.PEPPOL_RULES_DIR).is_dir(),
    reason="No Peppol validation artefacts: PEPPOL_RULES_DIR is absent.",
)
def test_validate_checks_each_written_file_against_the_peppol_rules(tmp_path, documents):
    out, err = export("--out", str(tmp_path), "--all", "--validate")
    assert "3 UBL file(s) written" in out
    assert err == ""
