"""The assembly's back-office: the board prepares and convenes (and downloads the tellers' key
once), advisors correct the roll, validate proxies, record attendance and paper totals, the
board counts with the key file. Pages answer 4xx with the reason, never 500."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from governance.models import GeneralAssembly, ItemResult, PaperTally, Participation, Proxy
from governance.services.assemblies import agenda_item_add, assembly_create
from governance.services.proxies import proxy_answer, proxy_give
from governance.services.roll import assembly_convene
from governance.services.voting import ballot_cast
from tests import governance_helpers as gh
from tests.conftest import _with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def draft():
    people = gh.personas()
    for who in ("denis", "claire", "admin"):
        _with_mfa(people[who])
    now = timezone.now()
    today = timezone.localdate()
    assembly = assembly_create(
        kind="ordinary",
        title="AG admin",
        date=today + timedelta(days=1),
        notice_date=today - timedelta(days=10),
        record_date=today - timedelta(days=5),
        voting_opens_at=now - timedelta(days=1),
        voting_closes_at=now + timedelta(days=1),
        by=people["denis"],
    )
    item = agenda_item_add(assembly=assembly, title="Accounts", kind="ordinary", by=people["denis"])
    return {**people, "assembly": assembly, "item": item}


def test_the_board_convenes_and_downloads_the_key_once(client, draft):
    client.force_login(draft["denis"])
    url = reverse("admin:governance_convene", args=[draft["assembly"].pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {})
    assert refused.status_code == 400
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    key = response.content.decode()
    assembly = GeneralAssembly.objects.get(pk=draft["assembly"].pk)
    assert assembly.status == "convened" and assembly.public_key in key
    # A second convening is refused: the key is never given again.
    again = client.post(url, {"confirm": "on"})
    assert again.status_code == 400 and "convened" in again.content.decode()


def test_an_advisor_cannot_convene_nor_count(client, draft):
    client.force_login(draft["claire"])
    assert (
        client.get(reverse("admin:governance_convene", args=[draft["assembly"].pk])).status_code
        == 403
    )
    assert (
        client.get(reverse("admin:governance_tally", args=[draft["assembly"].pk])).status_code
        == 403
    )


def test_the_meeting_through_the_back_office(client, draft):
    key = assembly_convene(assembly=draft["assembly"], by=draft["denis"]).key_file
    assembly = draft["assembly"]
    alice, bob, denis = draft["alice"].member, draft["bob"].member, draft["denis"].member
    client.force_login(draft["claire"])
    # A proxy alice → bob, accepted, validated from the queue.
    proxy = proxy_give(assembly=assembly, giver=alice, holder=bob)
    proxy_answer(proxy=proxy, holder=bob, accept=True)
    response = client.post(
        reverse("admin:governance_proxy_changelist"),
        {"action": "validate_selected", "_selected_action": [proxy.pk]},
    )
    assert response.status_code == 302
    assert Proxy.objects.get(pk=proxy.pk).status == Proxy.Status.VALIDATED
    # Attendance: denis in the room; bob can't be recorded twice after voting online.
    ballot_cast(assembly=assembly, voter=bob, choices={"items": {str(draft["item"].pk): "for"}})
    url = reverse("admin:governance_attendance", args=[assembly.pk])
    assert client.post(url, {"number": denis.number}).status_code == 302
    refused = client.post(url, {"number": bob.number})
    assert refused.status_code == 400 and "already voted" in refused.content.decode()
    assert Participation.objects.get(member=denis).channel == "in_person"
    # Paper totals: more votes than people present is refused.
    paper = reverse("admin:governance_paper", args=[assembly.pk]) + f"?target={draft['item'].pk}-"
    too_many = client.post(
        paper, {"votes_for": 2, "votes_against": 0, "abstentions": 0, "blank": 0}
    )
    assert too_many.status_code == 400
    assert (
        client.post(
            paper, {"votes_for": 0, "votes_against": 1, "abstentions": 0, "blank": 0}
        ).status_code
        == 302
    )
    assert PaperTally.objects.get(item=draft["item"]).votes_against == 1
    # Roll correction needs a reason, and is audited with both hashes.
    erin = gh.plain_member(
        by=draft["admin"], first_name="Erin", last_name="Late", member_since=timezone.localdate()
    )
    roll = reverse("admin:governance_roll_correct", args=[assembly.pk])
    assert client.post(roll, {"number": erin.number, "reason": ""}).status_code == 400
    assert (
        client.post(
            roll, {"number": erin.number, "reason": "Paid on the record date, booked late"}
        ).status_code
        == 302
    )
    event = AuditEvent.objects.get(action="roll_corrected")
    assert event.reason == "Paid on the record date, booked late"
    assert len(event.changes["roll_sha256"]) == 2
    # Close, then the board counts with the key file.
    GeneralAssembly.objects.filter(pk=assembly.pk).update(
        voting_closes_at=timezone.now() - timedelta(seconds=1)
    )
    client.force_login(draft["denis"])
    tally = reverse("admin:governance_tally", args=[assembly.pk])
    wrong = client.post(tally, {"key": SimpleUploadedFile("k.txt", b"private: AAAA")})
    assert wrong.status_code == 400
    ok = client.post(tally, {"key": SimpleUploadedFile("k.txt", key.encode())})
    assert ok.status_code == 302
    result = ItemResult.objects.get(item=draft["item"])
    assert (result.votes_for, result.votes_against, result.outcome) == (1, 1, "tie")


def test_the_assembly_pages_of_the_back_office_answer(client, draft):
    for who in ("denis", "claire", "admin"):
        client.force_login(draft[who])
        for name in ("generalassembly", "agendaitem", "proxy", "participation", "governancepolicy"):
            assert client.get(reverse(f"admin:governance_{name}_changelist")).status_code == 200
        assert (
            client.get(
                reverse("admin:governance_generalassembly_change", args=[draft["assembly"].pk])
            ).status_code
            == 200
        )
        assert (
            client.get(
                reverse("admin:governance_agendaitem_change", args=[draft["item"].pk])
            ).status_code
            == 200
        )


def test_the_board_creates_an_assembly_in_the_back_office(client, draft):
    client.force_login(draft["denis"])
    today = timezone.localdate()
    data = {
        "kind": "extraordinary",
        "title": "AGE statutes",
        "date": today + timedelta(days=40),
        "place": "Namur",
        "online": "on",
        "notice_date": today + timedelta(days=5),
        "record_date": today + timedelta(days=10),
        "voting_opens_at_0": today + timedelta(days=30),
        "voting_opens_at_1": "09:00",
        "voting_closes_at_0": today + timedelta(days=40),
        "voting_closes_at_1": "12:00",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-position": "1",
        "items-0-title": "Article 5",
        "items-0-kind": "statutes",
        "items-0-seats": "0",
        "items-0-text": "New wording",
    }
    response = client.post(reverse("admin:governance_generalassembly_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = GeneralAssembly.objects.get(title="AGE statutes")
    assert [i.title for i in created.items.all()] == ["Article 5"]
    assert AuditEvent.objects.filter(action="agenda_item_added").exists()


def test_agenda_documents_are_pdfs_with_their_hash(client, draft):
    import hashlib

    from governance.models import AgendaDocument

    client.force_login(draft["denis"])
    url = reverse("admin:governance_agendaitem_change", args=[draft["item"].pk])
    base = {
        "candidates-TOTAL_FORMS": "0",
        "candidates-INITIAL_FORMS": "0",
        "candidates-MIN_NUM_FORMS": "0",
        "candidates-MAX_NUM_FORMS": "1000",
        "documents-TOTAL_FORMS": "1",
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "1000",
        "results-TOTAL_FORMS": "0",
        "results-INITIAL_FORMS": "0",
        "results-MIN_NUM_FORMS": "0",
        "results-MAX_NUM_FORMS": "1000",
        "documents-0-title": "Comptes 2025",
    }
    refused = client.post(
        url, {**base, "documents-0-file": SimpleUploadedFile("c.pdf", b"MZ not a pdf")}
    )
    assert refused.status_code == 400 and "are PDF files" in refused.content.decode()
    assert not AgendaDocument.objects.exists()
    content = b"%PDF-1.4 comptes"
    ok = client.post(url, {**base, "documents-0-file": SimpleUploadedFile("c.pdf", content)})
    assert ok.status_code == 302
    assert AgendaDocument.objects.get().sha256 == hashlib.sha256(content).hexdigest()
