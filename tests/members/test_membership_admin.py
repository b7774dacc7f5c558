"""The membership back-office: the applications queue (approve, refuse with a reason, record a
payment), exits (resignations, deaths by advisors; exclusions by the board), board transfers,
refunds, and the read-only share register with its exports. Advisors work on their office."""

import io
from datetime import date
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.audit import audit_trail
from devtools.demo import national_number
from members.exit_services import member_exit_request
from members.models import (
    Member,
    MemberExit,
    MembershipApplication,
    Office,
    RefundPayout,
    ShareRegisterEntry,
    User,
)
from members.selectors import documents_to_accept, member_shares
from members.services import application_approve, application_submit
from members.share_payment_services import share_payment_record, shares_subscribe
from tests.page_queries import page_queries

pytestmark = pytest.mark.django_db

D = Decimal
BIRTH = date(1990, 5, 17)


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    # The assertions read the English messages (French catalogs come later).
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path


def staff_http(user) -> HttpClient:
    """A logged-in client of a staff user who enrolled a second factor (the back-office
    requires it); one client per persona, so two personas can act in one test."""
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def claire_http(claire):
    return staff_http(claire)


@pytest.fixture
def denis_http(denis):
    return staff_http(denis)


@pytest.fixture
def superuser_http(admin_user):
    return staff_http(admin_user)


def submit(email, serial, *, office="bruxelles", category="A", shares=2, **extra):
    """A valid application by a new account."""
    user = User.objects.filter(email=email).first() or User.objects.create_user(email=email)
    fields = {
        "first_name": extra.pop("first_name", "Eva"),
        "last_name": extra.pop("last_name", "Martin"),
        "national_number": national_number(BIRTH, serial),
        "birth_date": BIRTH,
        "gender": Member.Gender.FEMALE,
        "street": "Rue Neuve 3",
        "postal_code": "1000",
        "city": "Bruxelles",
        "iban": "BE71 0961 2345 6769",
        "category": category,
        "planned_activity": "Photographe de plateau" if category == "A" else "",
        "office": Office.objects.get(code=office) if office else None,
        "shares": shares,
        "accepted_documents": documents_to_accept(category=category, on=timezone.localdate()),
        **extra,
    }
    return application_submit(user=user, **fields)


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def act(http, model, action, objects, **data):
    """Post an action from the list: without data, the intermediate page; with data, its
    form posted back (apply)."""
    payload = {"action": action, "_selected_action": [obj.pk for obj in objects]}
    if data:
        payload.update(data, apply="yes")
    return http.post(url(model, "changelist"), payload)


def messages_of(response) -> list[str]:
    """The messages shown after this response (earlier ones were shown on earlier pages)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def last_message(response) -> str:
    return messages_of(response)[-1]


def shown(http, model, query=""):
    response = http.get(url(model, "changelist") + query)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def give_shares(member, shares, on, by, paid):
    entry = shares_subscribe(member=member, shares=shares, by=by, on=on)
    if paid:
        share_payment_record(target=entry, amount=D(paid), paid_on=on, by=by)
    return entry


TODAY = timezone.localdate


# --- the applications queue --------------------------------------------------------------


def test_an_advisor_sees_the_applications_of_her_office_and_those_without_office(claire_http):
    brussels = submit("eva@example.test", 42)
    namur = submit("nora@example.test", 43, office="namur", first_name="Nora")
    supporter = submit("cali@example.test", 44, office=None, category="C", first_name="Cali")
    assert set(shown(claire_http, MembershipApplication)) == {brussels, supporter}
    response = claire_http.get(url(MembershipApplication, "change", namur.pk))
    assert response.status_code == 302  # not found for her: back to the index
    # Nor can she act on it by posting its id.
    act(claire_http, MembershipApplication, "refuse_with_reason", [namur], reason="x")
    namur.refresh_from_db()
    assert namur.status == MembershipApplication.Status.SUBMITTED


def test_the_board_and_the_superuser_see_every_office(denis_http, superuser_http):
    brussels = submit("eva@example.test", 42)
    namur = submit("nora@example.test", 43, office="namur", first_name="Nora")
    assert set(shown(denis_http, MembershipApplication)) == {brussels, namur}
    assert set(shown(superuser_http, MembershipApplication)) == {brussels, namur}


def test_the_queue_filters_by_payment_status_and_category(claire, claire_http):
    unpaid = submit("eva@example.test", 42)
    partly = submit("tom@example.test", 45, first_name="Tom")
    paid = submit("ana@example.test", 46, first_name="Ana", category="C")
    share_payment_record(target=partly, amount=D("30.00"), paid_on=TODAY(), by=claire)
    share_payment_record(target=paid, amount=D("60.00"), paid_on=TODAY(), by=claire)
    assert shown(claire_http, MembershipApplication, "?paid=unpaid") == [unpaid]
    assert shown(claire_http, MembershipApplication, "?paid=partly") == [partly]
    assert shown(claire_http, MembershipApplication, "?paid=paid") == [paid]
    assert shown(claire_http, MembershipApplication, "?category__exact=C") == [paid]
    assert set(shown(claire_http, MembershipApplication, "?status__exact=submitted")) == {
        unpaid,
        partly,
        paid,
    }


def test_the_queue_searches_names_emails_national_numbers_and_references(claire_http):
    eva = submit("eva@example.test", 42)
    tom = submit("tom@example.test", 45, first_name="Tom", last_name="Dupont")
    reference = tom.structured_reference
    typed = f"+++{reference[:3]}/{reference[3:7]}/{reference[7:]}+++"
    nn = national_number(BIRTH, 42)
    typed_nn = f"{nn[:2]}.{nn[2:4]}.{nn[4:6]}-{nn[6:9]}.{nn[9:]}"
    for term, expected in [
        ("Dupont", [tom]),
        ("eva@example.test", [eva]),
        (typed, [tom]),
        (reference, [tom]),
        (typed_nn, [eva]),
    ]:
        response = claire_http.get(url(MembershipApplication, "changelist"), {"q": term})
        assert list(response.context["cl"].result_list) == expected, term


def test_the_application_page_shows_documents_duplicates_and_payment(claire, claire_http):
    earlier = submit("eva@example.test", 42)
    earlier.status = MembershipApplication.Status.REFUSED  # a past refusal, same person
    earlier.save(update_fields=["status"])
    application = submit("eva@example.test", 42)
    share_payment_record(target=application, amount=D("30.00"), paid_on=TODAY(), by=claire)
    response = claire_http.get(url(MembershipApplication, "change", application.pk))
    assert response.status_code == 200
    content = response.content.decode()
    for document in documents_to_accept(category="A", on=TODAY()):
        assert f"{document.get_kind_display()} — version {document.version}" in content
    assert "possible-duplicates" in content
    assert url(MembershipApplication, "change", earlier.pk) in content
    assert "partly paid: 30.00 € of 60.00 €" in content
    # The decisions are offered on the page (tests/members/test_application_decision_pages.py).
    assert 'id="decision-buttons"' in content
    for decision in ("approve", "refuse", "ask"):
        assert url(MembershipApplication, "decide", application.pk, decision) in content


def test_an_advisor_records_a_payment_then_approves(claire, claire_http):
    application = submit("eva@example.test", 42)
    first = act(claire_http, MembershipApplication, "record_payment", [application])
    assert first.status_code == 200  # the intermediate page
    assert "Record a payment" in first.content.decode()
    response = act(
        claire_http,
        MembershipApplication,
        "record_payment",
        [application],
        amount="60.00",
        paid_on=TODAY().isoformat(),
        bank_reference="BANK-1",
    )
    assert response.status_code == 302
    assert last_message(response) == "1 payment recorded."
    application.refresh_from_db()
    assert application.paid_amount == D("60.00")
    event = audit_trail(application).first()
    assert (event.action, event.actor) == ("membership_application.payment_received", claire)

    response = act(
        claire_http, MembershipApplication, "approve_selected", [application], on=TODAY()
    )
    assert response.status_code == 302
    assert last_message(response) == "1 application approved."
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    assert application.decided_by == claire
    member = application.member
    assert (member.member_since, member.may_open_units) == (TODAY(), True)
    position = member_shares(member=member)
    assert (position.held, position.nominal, position.refundable) == (2, D("60.00"), D("60.00"))


def test_a_payment_above_what_is_due_is_refused_on_the_form(claire_http):
    application = submit("eva@example.test", 42)
    response = act(
        claire_http,
        MembershipApplication,
        "record_payment",
        [application],
        amount="90.00",
        paid_on=TODAY().isoformat(),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["amount"] == [
        "Only 60.00 € is still due on this application."
    ]
    application.refresh_from_db()
    assert application.paid_amount == 0


def test_a_payment_is_recorded_for_one_application_at_a_time(claire_http):
    first = submit("eva@example.test", 42)
    second = submit("tom@example.test", 45, first_name="Tom")
    response = act(
        claire_http,
        MembershipApplication,
        "record_payment",
        [first, second],
        amount="30.00",
        paid_on=TODAY().isoformat(),
    )
    assert last_message(response) == "Choose one row for this action."
    assert not MembershipApplication.objects.filter(paid_amount__gt=0).exists()


def test_refusing_needs_a_reason_and_refunds_the_money_received(claire, claire_http):
    application = submit("eva@example.test", 42)
    share_payment_record(target=application, amount=D("30.00"), paid_on=TODAY(), by=claire)
    response = act(claire_http, MembershipApplication, "refuse_with_reason", [application])
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()  # the page asks for the reason
    response = act(
        claire_http, MembershipApplication, "refuse_with_reason", [application], reason="  "
    )
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED
    response = act(
        claire_http,
        MembershipApplication,
        "refuse_with_reason",
        [application],
        reason="Identity could not be confirmed.",
    )
    assert response.status_code == 302
    assert last_message(response) == "1 application refused."
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.REFUSED
    assert application.reason == "Identity could not be confirmed."
    payout = RefundPayout.objects.get(application=application)
    assert (payout.amount, payout.iban) == (D("30.00"), "BE71096123456769")
    assert audit_trail(application).first().reason == "Identity could not be confirmed."


def test_the_board_does_not_process_applications(denis, denis_http):
    application = submit("eva@example.test", 42)
    model_admin = admin.site._registry[MembershipApplication]
    request = RequestFactory().get("/")
    request.user = denis
    assert "approve_selected" not in model_admin.get_actions(request)
    act(denis_http, MembershipApplication, "approve_selected", [application], on=TODAY())
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED


def test_applications_are_never_added_changed_or_deleted_in_the_admin(superuser_http):
    application = submit("eva@example.test", 42)
    assert superuser_http.get(url(MembershipApplication, "add")).status_code == 403
    change = url(MembershipApplication, "change", application.pk)
    assert superuser_http.post(change, {"shares": 9}).status_code == 403
    assert (
        superuser_http.get(url(MembershipApplication, "delete", application.pk)).status_code == 403
    )
    application.refresh_from_db()
    assert application.shares == 2


# --- exits ------------------------------------------------------------------------------------


def test_an_advisor_records_a_requested_resignation_and_its_refund(claire, bob, claire_http):
    member = bob.member
    give_shares(member, 3, date(2025, 3, 1), claire, paid="30.00")
    member_exit_request(member=member, by=bob, reason="Moving abroad")
    request_row = MemberExit.objects.get(member=member)
    assert shown(claire_http, MemberExit, "?status__exact=requested") == [request_row]
    response = act(
        claire_http, MemberExit, "record_resignation", [request_row], on=TODAY().isoformat()
    )
    assert response.status_code == 302
    assert last_message(response) == "1 exit recorded."
    member.refresh_from_db()
    assert (member.status, member.left_on) == (Member.Status.RESIGNED, TODAY())
    request_row.refresh_from_db()
    assert request_row.status == MemberExit.Status.RECORDED
    assert request_row.recorded_by == claire
    # Only what was paid up comes back: 30 € of the 90 € subscribed.
    assert request_row.refund_entry.refund == D("30.00")
    payout = RefundPayout.objects.get(member=member)
    assert (payout.amount, payout.status) == (D("30.00"), RefundPayout.Status.PENDING)
    assert member_shares(member=member).held == 0


def test_an_advisor_records_a_death_with_the_heirs_account(claire, alice, claire_http):
    member = alice.member
    give_shares(member, 2, date(2024, 1, 15), claire, paid="60.00")
    response = claire_http.post(
        url(MemberExit, "add"),
        {
            "member": member.pk,
            "kind": MemberExit.Kind.DEATH,
            "effective_on": TODAY().isoformat(),
            "reason": "Death certificate received",
            "payout_iban": "BE62 5100 0754 7061",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.status == Member.Status.DECEASED
    payout = RefundPayout.objects.get(member=member)
    assert (payout.amount, payout.iban) == (D("60.00"), "BE62510007547061")


def test_an_advisor_cannot_exclude_a_member(claire, alice, claire_http):
    member = alice.member
    response = claire_http.post(
        url(MemberExit, "add"),
        {
            "member": member.pk,
            "kind": MemberExit.Kind.EXCLUSION,
            "effective_on": TODAY().isoformat(),
            "decision_reference": "CA-2026-01",
            "reason": "Serious breach of the internal rules",
        },
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.status == Member.Status.MEMBER
    assert not MemberExit.objects.exists()


def test_the_board_excludes_with_a_decision_and_a_reason(claire, denis, alice, denis_http):
    member = alice.member
    give_shares(member, 2, date(2024, 1, 15), claire, paid="60.00")
    data = {
        "member": member.pk,
        "kind": MemberExit.Kind.EXCLUSION,
        "effective_on": TODAY().isoformat(),
        "decision_reference": "CA-2026-01",
        "reason": "",
    }
    response = denis_http.post(url(MemberExit, "add"), data)
    assert response.status_code == 400
    assert response.context["adminform"].form.errors["reason"] == ["An exclusion needs a reason."]
    assert not MemberExit.objects.exists()
    data["reason"] = "Serious breach of the internal rules"
    response = denis_http.post(url(MemberExit, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.status == Member.Status.EXCLUDED
    record = MemberExit.objects.get(member=member)
    assert (record.decision_reference, record.recorded_by) == ("CA-2026-01", denis)
    assert record.refund_entry.refund == D("60.00")


def test_an_advisor_cannot_record_the_exit_of_another_offices_member(claire_http, denis):
    namur_member = denis.member
    response = claire_http.post(
        url(MemberExit, "add"),
        {"member": namur_member.pk, "kind": "death", "effective_on": TODAY().isoformat()},
    )
    assert response.status_code == 400
    assert "member" in response.context["adminform"].form.errors
    namur_member.refresh_from_db()
    assert namur_member.status == Member.Status.MEMBER


def test_an_advisor_sees_the_exit_requests_of_her_office_only(claire_http, bob, denis):
    bob_request = member_exit_request(member=bob.member, by=bob)
    member_exit_request(member=denis.member, by=denis)
    assert shown(claire_http, MemberExit) == [bob_request]


def test_an_advisor_marks_a_refund_paid(claire, bob, claire_http):
    member = bob.member
    give_shares(member, 1, date(2025, 3, 1), claire, paid="30.00")
    member_exit_request(member=member, by=bob)
    act(
        claire_http,
        MemberExit,
        "record_resignation",
        [MemberExit.objects.get(member=member)],
        on=TODAY().isoformat(),
    )
    payout = RefundPayout.objects.get(member=member)
    response = act(claire_http, RefundPayout, "mark_paid", [payout], paid_on=TODAY().isoformat())
    assert last_message(response) == "1 refund marked as paid."
    payout.refresh_from_db()
    assert (payout.status, payout.paid_on) == (RefundPayout.Status.PAID, TODAY())


def test_the_index_lists_the_membership_queues(claire_http, bob):
    submit("eva@example.test", 42)
    submit("nora@example.test", 43, office="namur", first_name="Nora")
    member_exit_request(member=bob.member, by=bob)
    queue = {
        item.label: item.count
        for item in claire_http.get(reverse("admin:index")).context["advisor_queue"]
    }
    assert queue["Membership applications to decide"] == 1
    assert queue["Resignations to record"] == 1
    assert queue["Share refunds to pay"] == 0


# --- transfers (board) ----------------------------------------------------------------------


def _transfer(http, from_member, to_member, shares, reference="CA-2026-02"):
    return http.post(
        url(ShareRegisterEntry, "transfer"),
        {
            "from_member": from_member.number,
            "to_member": to_member.number,
            "shares": shares,
            "on": TODAY().isoformat(),
            "decision_reference": reference,
        },
    )


def test_the_board_records_a_transfer_of_fully_paid_shares(claire, denis_http, alice, bob):
    give_shares(alice.member, 2, date(2024, 1, 15), claire, paid="60.00")
    give_shares(bob.member, 1, date(2025, 3, 1), claire, paid="30.00")
    assert denis_http.get(url(ShareRegisterEntry, "transfer")).status_code == 200
    response = _transfer(denis_http, alice.member, bob.member, 1)
    assert response.status_code == 302
    out = ShareRegisterEntry.objects.get(operation="transfer_out")
    into = ShareRegisterEntry.objects.get(operation="transfer_in")
    assert (out.member, out.shares, out.amount, out.decision_reference) == (
        alice.member,
        -1,
        D("-30.00"),
        "CA-2026-02",
    )
    assert (into.member, into.shares, into.paid_amount, into.related_entry) == (
        bob.member,
        1,
        D("30.00"),
        out,
    )
    assert member_shares(member=bob.member).held == 2


def test_a_transfer_the_service_refuses_is_shown_on_the_form(claire, denis_http, alice, bob):
    give_shares(alice.member, 2, date(2024, 1, 15), claire, paid="60.00")
    entries = ShareRegisterEntry.objects.count()
    response = _transfer(denis_http, alice.member, bob.member, 2)  # would keep none
    assert response.status_code == 400
    assert "shares" in response.context["form"].errors
    response = _transfer(denis_http, alice.member, bob.member, 1, reference="")
    assert response.status_code == 400
    assert "decision_reference" in response.context["form"].errors
    assert ShareRegisterEntry.objects.count() == entries


def test_an_advisor_cannot_record_a_transfer(claire, claire_http, alice, bob):
    give_shares(alice.member, 2, date(2024, 1, 15), claire, paid="60.00")
    entries = ShareRegisterEntry.objects.count()
    assert claire_http.get(url(ShareRegisterEntry, "transfer")).status_code == 403
    assert _transfer(claire_http, alice.member, bob.member, 1).status_code == 403
    assert ShareRegisterEntry.objects.count() == entries


# --- the register is read-only -------------------------------------------------------------
# The model refuses updates and deletes, and so does the PostgreSQL trigger: see
# tests/members/test_share_register.py,
# test_a_register_entry_cannot_be_edited_or_deleted_through_the_model and
# test_the_database_refuses_raw_sql_updates_and_deletes_of_register_entries. Here, the admin;
# the API has no route that writes entries (tests/members/test_memadmin_access.py).


@pytest.mark.parametrize("persona", ["superuser_http", "claire_http", "denis_http"])
def test_no_one_adds_changes_or_deletes_a_register_entry_in_the_admin(
    request, persona, claire, alice
):
    entry = give_shares(alice.member, 2, date(2024, 1, 15), claire, paid="60.00")
    http = request.getfixturevalue(persona)
    before = list(ShareRegisterEntry.objects.order_by("pk").values())
    change = url(ShareRegisterEntry, "change", entry.pk)
    assert http.get(change).status_code == 200  # it can be read
    assert http.post(change, {"shares": 99, "amount": "2970.00"}).status_code == 403
    assert http.get(url(ShareRegisterEntry, "add")).status_code == 403
    assert http.post(url(ShareRegisterEntry, "add"), {"shares": 1}).status_code == 403
    assert http.get(url(ShareRegisterEntry, "delete", entry.pk)).status_code == 403
    assert (
        http.post(url(ShareRegisterEntry, "delete", entry.pk), {"post": "yes"}).status_code == 403
    )
    response = http.post(
        url(ShareRegisterEntry, "changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert response.status_code == 200  # the list again: there is no action at all
    assert response.context["action_form"] is None
    assert list(ShareRegisterEntry.objects.order_by("pk").values()) == before


def test_the_register_list_filters_by_date_operation_and_member(claire, claire_http, alice, bob):
    give_shares(alice.member, 2, date(2024, 1, 15), claire, paid="60.00")
    give_shares(bob.member, 3, date(2025, 3, 1), claire, paid="30.00")
    payments = shown(claire_http, ShareRegisterEntry, "?operation__exact=payment")
    assert {entry.member for entry in payments} == {alice.member, bob.member}
    in_2024 = shown(claire_http, ShareRegisterEntry, "?date__year=2024")
    assert {(entry.member, entry.operation) for entry in in_2024} == {
        (alice.member, "subscription"),
        (alice.member, "payment"),
    }
    bobs = shown(claire_http, ShareRegisterEntry, f"?member={bob.member.pk}")
    assert {entry.member for entry in bobs} == {bob.member}


def test_an_advisor_sees_the_register_entries_of_her_office_only(claire, claire_http, denis):
    give_shares(denis.member, 1, date(2024, 1, 15), claire, paid="30.00")
    assert shown(claire_http, ShareRegisterEntry) == []


def test_the_board_downloads_the_register_at_a_date(claire, denis_http, alice, bob):
    give_shares(alice.member, 2, date(2024, 1, 15), claire, paid="60.00")
    give_shares(bob.member, 3, date(2025, 3, 1), claire, paid="30.00")
    page = denis_http.get(url(ShareRegisterEntry, "changelist"))
    assert url(ShareRegisterEntry, "register_at") in page.content.decode()
    response = denis_http.get(
        url(ShareRegisterEntry, "register_at"), {"at": "2024-12-31", "format": "xlsx"}
    )
    assert response.status_code == 200
    assert 'filename="share-register-2024-12-31.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1], row[5], row[9]) for row in rows] == [
        (alice.member.number, "Alice Lambert", 2, 60)
    ]
    bad = denis_http.get(url(ShareRegisterEntry, "register_at"), {"at": "2999-01-01"})
    assert bad.status_code == 400


def test_an_advisor_cannot_download_the_whole_register(claire_http):
    page = claire_http.get(url(ShareRegisterEntry, "changelist"))
    assert url(ShareRegisterEntry, "register_at") not in page.content.decode()
    response = claire_http.get(
        url(ShareRegisterEntry, "register_at"), {"at": "2024-12-31", "format": "csv"}
    )
    assert response.status_code == 403


def test_an_advisor_downloads_the_extract_of_a_member_of_her_office(
    claire, claire_http, alice, denis
):
    give_shares(alice.member, 2, date(2024, 1, 15), claire, paid="60.00")
    extract = url(ShareRegisterEntry, "member_extract", alice.member.pk)
    response = claire_http.get(extract, {"format": "csv", "at": "2024-12-31"})
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[1].startswith("15/01/2024,subscription,2,30.00,60.00,0.00,2,A")
    assert lines[2].startswith("15/01/2024,payment,0,0.00,0.00,60.00,2,A")
    page = claire_http.get(url(Member, "change", alice.member.pk))
    assert extract in page.content.decode()
    assert (
        claire_http.get(url(ShareRegisterEntry, "member_extract", denis.member.pk)).status_code
        == 404
    )


# --- list pages stay fast ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", [MembershipApplication, MemberExit, RefundPayout, ShareRegisterEntry]
)
def test_membership_list_pages_do_a_bounded_number_of_queries(model, claire, claire_http):
    def add_rows(first_serial):
        for serial in range(first_serial, first_serial + 3):
            application = submit(f"p{serial}@example.test", serial, first_name=f"P{serial}")
            share_payment_record(target=application, amount=D("60.00"), paid_on=TODAY(), by=claire)
            joined = application_approve(application=application, by=claire)
            member_exit_request(member=joined, by=claire)
            act(claire_http, MemberExit, "record_resignation", [joined.exit], on=TODAY())

    add_rows(50)
    address = url(model, "changelist")
    claire_http.get(address)  # warm the caches
    before = page_queries(claire_http, address)
    add_rows(60)
    assert len(shown(claire_http, model)) >= 6
    assert page_queries(claire_http, address) == before
