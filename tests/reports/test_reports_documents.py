"""The yearly reports as PDFs: the activity report's key figures and the report on the
cooperative principles, made for a small known history in French and Dutch (the text read
back from the PDF carries the history's figures and the reports' headings), the narrative
sections written and approved by the board, and who may ask for a report and download it."""

import io
import os
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from core.models import AuditEvent
from governance.models import EthicsCase, EthicsMeeting, GeneralAssembly, Mandate, Participation
from members.models import Member, Office, User
from reports.models import ReportDocument, ReportText
from reports.text_services import report_text_approve, report_text_edit, report_text_write
from tests import reports_helpers as h
from tests.conftest import _with_mfa

pytestmark = pytest.mark.django_db

YEAR = 2025
# Where the rendered pages are kept to be looked at (REPORTS_PDF_DIR=/tmp/x pytest …).
KEEP = os.environ.get("REPORTS_PDF_DIR", "")


@pytest.fixture
def history(db):
    """Ten members since 2020 (category A), three who join in 2025 (two A, one C), one who
    resigns (one share refunded) and one who is excluded in 2025; a unit that invoices
    1,500 and 25,000 €; the ordinary assembly of 17 June 2025 (13 on the roll, 11 voters);
    three elected mandates of four years and one cooptation; two ethics cases and a meeting."""
    voters = [
        h.member(f"Voter{index}", since=date(2020, 1, 1), born=date(1980, 1, 1))
        for index in range(10)
    ]
    joined = [
        h.member("New1", since=date(2025, 3, 1), born=date(1990, 1, 1)),
        h.member("New2", since=date(2025, 3, 1), born=date(1991, 1, 1)),
        h.member("Cee", since=date(2025, 4, 1), born=date(1970, 1, 1), category="C"),
    ]
    quit_ = h.member(
        "Quit",
        since=date(2019, 1, 1),
        born=date(1975, 1, 1),
        left=date(2025, 6, 30),
        status=Member.Status.RESIGNED,
    )
    h.refund(quit_, date(2025, 7, 10), 1)
    h.member(
        "Out",
        since=date(2019, 1, 1),
        born=date(1975, 1, 1),
        left=date(2025, 9, 1),
        status=Member.Status.EXCLUDED,
    )
    unit = h.unit(voters[0], "U1")
    client = h.client("Client one")
    h.invoice(unit, client, date(2025, 3, 1), 1500)
    h.invoice(unit, client, date(2025, 10, 1), 25000)
    now = timezone.now()
    assembly = GeneralAssembly.objects.create(
        kind=GeneralAssembly.Kind.ORDINARY,
        title="AG 2025",
        date=date(2025, 6, 17),
        notice_date=date(2025, 5, 1),
        record_date=date(2025, 5, 1),
        voting_opens_at=now,
        voting_closes_at=now + timedelta(days=1),
        status="closed",
        roll_size=13,
    )
    for person in [*voters, joined[0]]:
        Participation.objects.create(
            assembly=assembly,
            member=person,
            channel=Participation.Channel.ONLINE,
            day=date(2025, 6, 17),
        )
    for person in voters[1:4]:
        Mandate.objects.create(
            member=person,
            how=Mandate.How.ELECTED,
            start=date(2024, 6, 18),
            end=date(2028, 6, 17),
        )
    Mandate.objects.create(
        member=voters[4], how=Mandate.How.COOPTED, start=date(2025, 11, 1), end=date(2028, 6, 17)
    )
    for day in (date(2025, 2, 1), date(2025, 5, 1)):
        EthicsCase.objects.create(received_on=day, subject="Case", confidential_text="…")
    EthicsMeeting.objects.create(date=date(2025, 3, 3))
    return {"voters": voters}


@pytest.fixture
def chair(db):
    """A board account made here (the demo's board member would add members to the
    history): superusers count as the board."""
    return User.objects.create_superuser(email="chair@example.org", password="x")


PRINCIPLES = [
    "Principle 1 of the ICA: voluntary and open membership",
    "Principle 2 of the ICA: democratic member control",
    "Principle 3 of the ICA: member economic participation",
    "Principle 4 of the ICA: autonomy and independence",
    "Principle 5 of the ICA: education, training and information",
    "Principle 6 of the ICA: cooperation among cooperatives",
    "Principle 7 of the ICA: concern for community",
]


def _tr(language: str, msgid: str) -> str:
    """`msgid` as the catalog of `language` writes it."""
    with translation.override(language):
        return gettext(msgid)


def _pdf(tmp_path, command, language, **options):
    out = tmp_path / f"{command}-{language}.pdf"
    call_command(command, year=YEAR, lang=language, out=out, stdout=io.StringIO(), **options)
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    if KEEP:
        os.makedirs(KEEP, exist_ok=True)
        shutil.copy(out, os.path.join(KEEP, out.name))
    return data


def _text(data):
    """The PDF's text, spaces made plain (French groups thousands with a narrow space)."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    for space in ("\u202f", "\u00a0"):
        text = text.replace(space, " ")
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("language", "turnover", "equity"),
    [("fr", "26 500,00", "780,00"), ("nl", "26.500,00", "780,00")],
)
def test_the_activity_report_has_the_key_figures(history, tmp_path, language, turnover, equity):
    data = _pdf(tmp_path, "activity_report", language)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 7  # the cover and a page per theme
    text = _text(data)
    # Headings in the report's language; the numbers follow the language too.
    assert _tr(language, "Activity report %(year)s") % {"year": 2025} in text
    for heading in (
        "General figures",
        "The unit holders",
        "The production units",
        "The employees",
        "The members",
        "The clients",
    ):
        assert _tr(language, heading) in text, heading
    assert turnover in text  # the unit's turnover excl. VAT
    members_label = _tr(language, "Members at the end of the period")
    assert members_label != "Members at the end of the period"  # translated
    # 13 members at the end of 2025, 3 joined; equity: 13 members × 2 shares × 30 €.
    assert f"13 {members_label}" in text
    assert equity in text
    assert "31/12/2025" in text


def test_the_activity_report_reads_the_dashboards_snapshots(history, tmp_path):
    """A stored snapshot is what the report prints (the same numbers as the page)."""
    from reports.figures import Scope, compute
    from reports.services import snapshot_compute

    snapshot = snapshot_compute(year=YEAR, scope=Scope(), figure="units", today=date(2026, 3, 1))
    data = snapshot.data
    for block in data["blocks"]:
        if block["key"] == "units":
            for row in block["rows"]:
                if row[0] == "Turnover excl. VAT (€)":
                    row[1] = {"d": "123456.78"}
    snapshot.data = data
    snapshot.save()
    computed = compute("units", year=YEAR, today=date(2026, 3, 1), scope=Scope())
    assert computed.blocks[0].rows[1][1] == Decimal("26500.00")  # what the selector says
    text = _text(_pdf(tmp_path, "activity_report", "en"))
    assert "123,456.78" in text


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_principles_report_has_the_figures_and_the_approved_texts(
    history, chair, tmp_path, language
):
    reserves = report_text_write(
        year=YEAR,
        section="reserves",
        text="Le résultat est affecté aux réserves impartageables.",
        by=chair,
    )
    report_text_approve(draft=reserves, by=chair)
    report_text_write(
        year=YEAR, section="autonomy", text="Brouillon pas encore approuvé.", by=chair
    )
    text = _text(_pdf(tmp_path, "cooperative_principles_report", language))
    for title in PRINCIPLES:
        assert _tr(language, title) in text, title
    assert "17/06/2025" in text
    assert "Le résultat est affecté aux réserves impartageables." in text
    assert "Brouillon pas encore approuvé." not in text  # a draft is not printed
    assert _tr(language, "Not written yet.") in text
    # The sentences and their figures, read in English (the msgids).
    text = _text(_pdf(tmp_path, "cooperative_principles_report", "en"))
    for principle in range(1, 8):
        assert f"Principle {principle} of the ICA" in text
    assert "In 2025, 3 members joined the cooperative." in text
    assert "1 member resigned." in text and "1 member was excluded according" in text
    assert "the cooperative had 13 members: 12 of category A, 0 of category B and < 10" in text
    assert "11 members of the 13 on the roll took part" in text
    assert "17/06/2025" in text
    assert "One person, one vote" in text
    assert "4 board members" in text and "3 of 4 years" in text and "1 of 2 years" in text
    assert "1 board member was co-opted" in text
    assert "received 2 cases" in text and "met 1 time." in text
    assert "1 share was refunded" in text
    assert "Le résultat est affecté aux réserves impartageables." in text
    assert "Brouillon pas encore approuvé." not in text
    assert "Not written yet." in text


def test_the_cooperative_principles_command_needs_only_the_year_and_the_file(history, tmp_path):
    out = tmp_path / "cnc.pdf"  # French by default, as the Council reads it
    call_command("cooperative_principles_report", year=YEAR, out=out, stdout=io.StringIO())
    text = _text(out.read_bytes())
    assert _tr("fr", PRINCIPLES[0]) in text  # French
    assert "Principle 1 of the ICA" not in text
    assert "17/06/2025" in text


def test_report_texts_are_written_by_the_board_audited_and_versioned(history, chair, claire):
    with pytest.raises(PermissionDenied):
        report_text_write(year=YEAR, section="reserves", text="x", by=claire)
    first = report_text_write(year=YEAR, section="reserves", text="First", by=chair)
    report_text_edit(draft=first, text="First, edited", by=chair)
    report_text_approve(draft=first, by=chair)
    with pytest.raises(PermissionDenied):
        report_text_edit(draft=first, text="changed after approval", by=chair)
    second = report_text_write(year=YEAR, section="reserves", text="Second", by=chair)
    from reports.selectors import approved_texts

    assert approved_texts(year=YEAR)["reserves"].text == "First, edited"
    report_text_approve(draft=second, by=chair)
    assert approved_texts(year=YEAR)["reserves"].text == "Second"
    first.refresh_from_db()
    assert first.approved_by == chair and first.approved_at is not None
    actions = list(
        AuditEvent.objects.filter(object_id__in=[str(first.pk), str(second.pk)])
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "report_text_written",
        "report_text_edited",
        "report_text_approved",
        "report_text_written",
        "report_text_approved",
    ]
    assert ReportText.objects.filter(year=YEAR, section="reserves").count() == 2


# --- the board's button and the download ----------------------------------------------------


@pytest.fixture
def denis_client(client, denis):
    client.force_login(_with_mfa(denis))
    return client


def _ask(client, kind="activity", language="fr"):
    return client.post(
        reverse("reports:document_create"), {"kind": kind, "year": YEAR, "language": language}
    )


def test_the_board_asks_for_a_report_and_downloads_it(
    denis_client, django_capture_on_commit_callbacks
):
    index = denis_client.get(reverse("reports:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert b"Make the PDF" in index.content
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _ask(denis_client)
    assert response.status_code == 302
    document = ReportDocument.objects.get()
    assert document.status == ReportDocument.Status.QUEUED  # queued after the commit
    assert len(callbacks) == 1
    waiting = denis_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert b'http-equiv="refresh"' in waiting.content and b"queued" in waiting.content
    callbacks[0]()  # the commit: the task runs (eagerly in the tests)
    document.refresh_from_db()
    assert document.status == ReportDocument.Status.DONE and document.pdf
    page = denis_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert b'http-equiv="refresh"' not in page.content
    assert document.pdf.url.encode() in page.content
    download = denis_client.get(document.pdf.url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    listing = denis_client.get(reverse("reports:documents"), HTTP_ACCEPT_LANGUAGE="en")
    assert document.pdf.url.encode() in listing.content


def test_members_and_advisors_can_neither_ask_nor_download(
    client, denis_client, bob, claire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(denis_client, kind="principles", language="nl")
    document = ReportDocument.objects.get()
    assert document.status == ReportDocument.Status.DONE
    url = document.pdf.url
    # An advisor (of an office: the report is the whole cooperative's) and another office's.
    other = Office.objects.exclude(pk=claire.office_id).first()
    other_advisor = User.objects.create_user(
        email="other.advisor@example.org", password="x", is_staff=True, office=other
    )
    for user, refused in (
        (bob, (302, 403, 404)),
        (claire, (403, 404)),
        (other_advisor, (403, 404)),
    ):
        client.force_login(_with_mfa(user) if user.is_staff else user)
        assert client.get(url).status_code == 404, user
        assert _ask(client).status_code in refused, user
        assert client.get(reverse("reports:documents")).status_code in refused, user
        assert client.get(reverse("reports:document", args=[document.pk])).status_code in refused
        index = client.get(reverse("reports:index"))
        assert b"Make the PDF" not in index.content
    assert ReportDocument.objects.count() == 1
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_render_the_first_page_to_an_image_when_a_tool_is_there(history, tmp_path):
    """Render the reports' pages to PNG for a person to look at (pdftoppm, when installed)."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    data = _pdf(tmp_path, "activity_report", "fr")
    subprocess.run(  # noqa: S603 - a fixed command on a PDF this test made
        [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "3", "-", str(tmp_path / "page")],
        input=data,
        check=True,
    )
    assert list(tmp_path.glob("page*.png"))


def test_the_board_writes_and_approves_texts_in_the_back_office(client, chair, claire):
    client.force_login(_with_mfa(chair))
    add = reverse("admin:reports_reporttext_add")
    response = client.post(add, {"year": YEAR, "section": "reserves", "text": "Aux réserves."})
    assert response.status_code == 302
    draft = ReportText.objects.get()
    assert draft.status == ReportText.Status.DRAFT and draft.written_by == chair
    change = reverse("admin:reports_reporttext_change", args=[draft.pk])
    assert client.post(change, {"text": "Aux réserves impartageables."}).status_code == 302
    changelist = reverse("admin:reports_reporttext_changelist")
    client.post(changelist, {"action": "approve", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert (draft.status, draft.text) == (
        ReportText.Status.APPROVED,
        "Aux réserves impartageables.",
    )
    assert AuditEvent.objects.filter(object_id=str(draft.pk)).count() == 3
    # Approved: read-only; an advisor does not even see the texts.
    assert client.post(change, {"text": "Changed"}).status_code == 403
    client.force_login(_with_mfa(claire))
    assert client.get(changelist).status_code == 403
    assert client.get(add).status_code == 403
