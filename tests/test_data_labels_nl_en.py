"""Data labels in the reader's language (issue 16, "Language and formats"): ledger entries
keep a code and its values and read in Dutch or English on Dutch and English pages; audit
events read as words, never as their raw code, in the portal's histories and in the
admin's audit trail; entries written before the codes keep their text.
"""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from core.audit import audit_log
from core.audit_labels import ACTION_LABELS, action_label
from governance.models import Candidacy, GeneralAssembly, Mandate, Proxy
from members.models import Member
from production_units.ledger_labels import LEDGER_LABELS, ledger_label
from production_units.models import LedgerEntry
from production_units.services import ledger_post, ledger_post_query
from tests.invoicing_helpers import issued_invoice, line, make_client

pytestmark = pytest.mark.django_db

APPS = ["core", "members", "production_units", "invoicing", "payroll", "governance", "reports"]
LITERAL_ACTION = re.compile(r"""action=(?:f?)["']([a-z_.]+)["']""")
CONDITIONAL_ACTION = re.compile(r"""["']([a-z_]+(?:\.[a-z_]+)?)["'] if """)


def french(msgid: str) -> str:
    with translation.override("fr"):
        return gettext(msgid)


def codes_written_by_the_platform() -> set[str]:
    """Every action code written literally by the apps (action="…", and the two-way
    `"a" if x else "b"` forms), read from the source: a new code without a label fails."""
    codes: set[str] = set()
    for app in APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if "audit_log(" not in text and "action=" not in text:
                continue
            codes.update(LITERAL_ACTION.findall(text))
            for match in re.finditer(r"action=([^\n]+)", text):
                codes.update(CONDITIONAL_ACTION.findall(match.group(1)))
    # Not audit actions: argparse's action="store_true"/"append" in management commands.
    return codes - {"store_true", "store_false", "append", "count"}


def dynamic_codes() -> set[str]:
    """The codes built from a status or a reason: a member's exit (f"member.{status}"), a
    candidacy's and a proxy's status, a mandate's end, an assembly opening or closing its vote
    by the clock (f"assembly_{status}")."""
    exits = {Member.Status.RESIGNED, Member.Status.EXCLUDED, Member.Status.DECEASED}
    by_the_clock = {GeneralAssembly.Status.VOTING_OPEN, GeneralAssembly.Status.CLOSED}
    return (
        {f"member.{status}" for status in exits}
        | {f"candidacy.{status}" for status in Candidacy.Status.values}
        | {f"mandate.{reason}" for reason in Mandate.EndReason.values}
        | {f"assembly_{status}" for status in by_the_clock}
        | {f"proxy_{status}" for status in Proxy.Status.values}
    )


# --- audit actions --------------------------------------------------------------------------


def test_the_source_has_audit_codes_to_check():
    codes = codes_written_by_the_platform()
    # The scan itself works: it finds codes we know are written.
    assert {"invoice.issued", "ledger.posted", "proxy_given", "assembly_convened"} <= codes


def test_every_code_the_platform_writes_reads_as_words():
    unlabelled = sorted(
        code
        for code in codes_written_by_the_platform() | dynamic_codes()
        if code not in ACTION_LABELS and action_label(code) == gettext("other action")
    )
    assert unlabelled == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_label_is_the_code_itself(language):
    with translation.override(language):
        for code in codes_written_by_the_platform() | dynamic_codes():
            label = action_label(code)
            assert label != code
            assert "." not in label and "_" not in label, (code, label)


def test_an_unknown_code_never_shows_raw():
    assert action_label("nothing.known_here") == gettext("other action")
    with translation.override("en"):
        assert action_label("unit.closed") == "closed"
        assert action_label("proxy_declined") == "declined"


def test_the_portal_history_reads_in_dutch_and_english(alice_client, alice, alice_3en1, claire):
    client = make_client(alice, alice_3en1, verify_by=claire)
    invoice = issued_invoice(alice, alice_3en1, client, [line()])
    url = reverse("portal:invoice_detail", args=[invoice.pk])

    for language in ("nl", "en"):
        page = alice_client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        with translation.override(language):
            assert str(ACTION_LABELS["invoice.issued"]) in page
        assert "invoice.issued" not in page
        assert "invoice.created" not in page
        if french("issued") != "issued":
            assert f"<strong>{french('issued')}</strong>" not in page


def test_the_admin_audit_trail_shows_words_not_codes(admin_client, alice, alice_3en1, claire):
    client = make_client(alice, alice_3en1, verify_by=claire)
    invoice = issued_invoice(alice, alice_3en1, client, [line()])
    audit_log(actor=None, action="invoice.recurrence_started", obj=invoice)
    url = reverse("admin:invoicing_invoice_change", args=[invoice.pk])

    for language in ("nl", "en"):
        page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        trail = page[page.index('id="audit-trail"') :]
        for code in ("invoice.issued", "invoice.created", "invoice.recurrence_started"):
            assert f"<td>{code}</td>" not in trail
        with translation.override(language):
            assert f"<td>{action_label('invoice.recurrence_started')}</td>" in trail
            assert f"<td>{action_label('invoice.issued')}</td>" in trail


# --- ledger labels ----------------------------------------------------------------------------


def test_every_ledger_label_code_fills_its_phrase():
    values = {
        "number": "F-2026-000001",
        "client": "Client",
        "description": "Train",
        "job": "Concert",
        "supplier": "Fournisseur",
        "period": "2026-11",
        "contract": "C-1",
        "month": "2026-10",
    }
    for language in ("fr", "nl", "en"):
        with translation.override(language):
            for code in LEDGER_LABELS:
                text = ledger_label(code, values, fallback="FALLBACK")
                assert text != "FALLBACK" and "%(" not in text, (language, code)


def test_an_issued_invoice_is_posted_with_a_code_and_reads_in_each_language(
    alice, alice_3en1, claire
):
    client = make_client(alice, alice_3en1, verify_by=claire, name="Théâtre du Parc SA")
    with translation.override("fr"):
        invoice = issued_invoice(alice, alice_3en1, client, [line()])
    entry = LedgerEntry.objects.get(
        source_type=ContentType.objects.get_for_model(invoice), source_id=str(invoice.pk)
    )

    assert entry.label_code == "invoice"
    assert entry.label_params == {"number": invoice.display_number, "client": client.name}
    number = invoice.display_number
    with translation.override("en"):
        assert entry.display_label == f"Invoice {number} · Théâtre du Parc SA"
    with translation.override("nl"):
        assert not entry.display_label.startswith(french("Invoice"))
        assert number in entry.display_label


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_unit_page_shows_no_french_ledger_label(
    alice_client, alice, alice_3en1, claire, language
):
    client = make_client(alice, alice_3en1, verify_by=claire, name="Théâtre du Parc SA")
    with translation.override("fr"):
        invoice = issued_invoice(alice, alice_3en1, client, [line()])

    page = alice_client.get(
        reverse("portal:unit_detail", args=[alice_3en1.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    # Under French the invoice was stored as "Facture …": the page reads it in its own language.
    assert f"Facture {invoice.display_number}" not in page
    with translation.override(language):
        expected = ledger_label(
            "invoice", {"number": invoice.display_number, "client": "Théâtre du Parc SA"}
        )
    assert expected.replace("'", "&#x27;") in page


def test_an_entry_without_code_keeps_its_text(alice, alice_3en1):
    entry = ledger_post(
        unit=alice_3en1,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        amount=Decimal("12.00"),
        booked_on=date(2026, 3, 1),
        label="Correction du loyer",
        reason="Erreur de saisie",
        by=alice,
    )
    with translation.override("nl"):
        assert entry.display_label == "Correction du loyer"
    assert entry.label_code == ""


def test_a_coded_entry_also_keeps_a_readable_text_in_its_column(alice, alice_3en1):
    with translation.override("fr"):
        entry = ledger_post(
            unit=alice_3en1,
            kind=LedgerEntry.Kind.TURNOVER,
            amount=Decimal("50.00"),
            booked_on=date(2026, 3, 1),
            label_code="purchase",
            label_params={"number": "A-7", "supplier": "Papeterie"},
            by=alice,
        )
    # Written as labels were before codes: in the language of whoever posted it.
    assert entry.label == "Achat A-7 · Papeterie"


def test_an_unknown_code_or_bad_values_fall_back_on_the_stored_text():
    assert ledger_label("no-such-code", {}, fallback="Texte") == "Texte"
    assert ledger_label("invoice", {"number": "F-1"}, fallback="Texte") == "Texte"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ledger_post_query is SQL")
def test_entries_posted_by_a_query_keep_their_code(alice_3en1):
    label = "Cotisation mutualisée sur le chiffre d'affaires, 2026-11"
    entries = ledger_post_query(
        select=(
            "SELECT %s::bigint AS unit_id, 'turnover_contribution'::varchar AS kind, "
            "-10.00::numeric(14, 2) AS amount, %s::date AS booked_on, %s::varchar AS label "
            "UNION ALL SELECT %s::bigint, 'turnover'::varchar, 5.00::numeric(14, 2), %s::date, "
            "'Autre'::varchar"
        ),
        params=[alice_3en1.pk, date(2026, 11, 30), label, alice_3en1.pk, date(2026, 11, 30)],
        by=None,
        source=alice_3en1,
        label_codes={label: ("contribution_turnover", {"period": "2026-11"})},
    )

    first, second = (LedgerEntry.objects.get(pk=e.pk) for e in entries)
    assert (first.label_code, first.label_params) == (
        "contribution_turnover",
        {"period": "2026-11"},
    )
    assert (second.label_code, second.label_params, second.label) == ("", {}, "Autre")
    with translation.override("en"):
        assert first.display_label == "Mutual contribution on turnover, 2026-11"


def test_the_accounting_export_reads_ledger_labels_in_english(
    alice_client, alice, alice_3en1, claire
):
    client = make_client(alice, alice_3en1, verify_by=claire, name="Théâtre du Parc SA")
    with translation.override("fr"):
        invoice = issued_invoice(alice, alice_3en1, client, [line()])

    response = alice_client.get(
        reverse("portal:accounting_csv"),
        {"year": invoice.issue_date.year},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    content = b"".join(response.streaming_content) if response.streaming else response.content

    text = content.decode("utf-8-sig")
    assert f"Invoice {invoice.display_number} · Théâtre du Parc SA" in text
    assert f"Facture {invoice.display_number}" not in text
