"""Joining: the application (identity, documents, shares), duplicates, the decision."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.audit import audit_trail
from core.encryption import lookup_hash
from devtools.demo import national_number
from members.models import (
    DocumentAcceptance,
    Member,
    MembershipApplication,
    MembershipDocument,
    Office,
    RefundPayout,
    SharePolicy,
    ShareRegisterEntry,
    User,
)
from members.selectors import documents_to_accept, member_shares
from members.services import application_approve, application_refuse, application_submit
from members.share_payment_services import share_payment_match_reference, share_payment_record

pytestmark = pytest.mark.django_db

BIRTH = date(1990, 5, 17)


def documents(category="A"):
    return documents_to_accept(category=category, on=timezone.localdate())


def submit(**overrides):
    """A valid category A application by a new account; `overrides` change any field."""
    email = overrides.pop("email", "eva@example.test")
    user = overrides.pop("user", None) or (
        User.objects.filter(email=email).first() or User.objects.create_user(email=email)
    )
    fields = {
        "first_name": "Eva",
        "last_name": "Martin",
        "national_number": national_number(BIRTH, 42),
        "birth_date": BIRTH,
        "gender": Member.Gender.FEMALE,
        "street": "Rue Neuve 3",
        "postal_code": "1000",
        "city": "Bruxelles",
        "iban": "BE71 0961 2345 6769",
        "category": Member.Category.A,
        "planned_activity": "Photographe de plateau",
        "office": Office.objects.get(code="bruxelles"),
        "shares": 2,
        "accepted_documents": documents(overrides.get("category", "A")),
    }
    fields.update(overrides)
    return application_submit(user=user, **fields)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- submitting ----------------------------------------------------------------------------


def test_a_valid_application_gets_a_share_structured_reference_and_records_the_documents():
    application = submit()
    reference = application.structured_reference
    assert len(reference) == 12 and reference.startswith("90")
    assert int(reference[10:]) == (int(reference[:10]) % 97 or 97)
    assert application.status == MembershipApplication.Status.SUBMITTED
    assert application.share_price == Decimal("30.00")
    assert application.amount_due == Decimal("60.00")
    assert application.national_number == national_number(BIRTH, 42)
    assert application.iban == "BE71096123456769"
    accepted = set(
        DocumentAcceptance.objects.filter(application=application).values_list(
            "document__kind", flat=True
        )
    )
    assert accepted == {"statutes", "internal_rules", "user_contract"}
    assert audit_trail(application).first().action == "membership_application.submitted"


def test_two_applications_get_different_references():
    first = submit()
    second = submit(
        email="tom@example.test",
        first_name="Tom",
        national_number=national_number(date(1985, 1, 2), 11),
        birth_date=date(1985, 1, 2),
    )
    assert first.structured_reference != second.structured_reference


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("national_number", "90051704299", "national register number"),
        ("iban", "BE71 0961 2345 6768", "IBAN"),
    ],
)
def test_an_invalid_identifier_is_refused_with_a_message_naming_it(field, value, words):
    with pytest.raises(ValidationError) as excinfo:
        submit(**{field: value})
    errors = errors_of(excinfo)
    assert field in errors
    assert words in " ".join(errors[field])
    assert MembershipApplication.objects.count() == 0


def test_a_birth_date_inconsistent_with_the_national_number_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        submit(birth_date=BIRTH + timedelta(days=1))
    assert list(errors_of(excinfo)) == ["birth_date"]
    assert "national register number" in errors_of(excinfo)["birth_date"][0]
    assert MembershipApplication.objects.count() == 0


def test_an_application_with_the_national_number_of_a_member_is_a_duplicate(alice):
    with pytest.raises(ValidationError) as excinfo:
        submit(national_number=alice.member.national_number, birth_date=alice.member.birth_date)
    assert errors_of(excinfo)["national_number"] == [
        "A member with this national register number already exists."
    ]
    assert MembershipApplication.objects.count() == 0


def test_a_second_open_application_for_the_same_person_is_a_duplicate():
    submit()
    with pytest.raises(ValidationError) as excinfo:
        submit(email="eva.other@example.test")
    assert errors_of(excinfo)["national_number"] == [
        "An application with this national register number is already open."
    ]
    assert MembershipApplication.objects.count() == 1


def test_an_application_with_the_email_of_a_member_or_an_open_application_is_a_duplicate(alice):
    with pytest.raises(ValidationError) as excinfo:
        submit(user=alice, email=alice.email)
    assert "email" in errors_of(excinfo)
    submit()
    with pytest.raises(ValidationError) as excinfo:
        application_submit(
            email="EVA@example.test",
            first_name="Eve",
            last_name="Other",
            national_number=national_number(date(1991, 1, 1), 12),
            birth_date=date(1991, 1, 1),
            gender="F",
            street="x",
            postal_code="1000",
            city="Bruxelles",
            iban="BE71096123456769",
            category="C",
            shares=1,
            accepted_documents=documents("C"),
        )
    assert errors_of(excinfo)["email"] == [
        "An application with this email address is already open."
    ]


def test_after_a_refusal_the_person_may_apply_again(claire):
    refused = submit()
    application_refuse(application=refused, by=claire, reason="Dossier incomplet")
    again = submit(email="eva2@example.test")
    assert again.status == MembershipApplication.Status.SUBMITTED


def test_category_a_needs_a_planned_activity_and_an_office():
    with pytest.raises(ValidationError) as excinfo:
        submit(planned_activity="  ", office=None)
    assert set(errors_of(excinfo)) == {"planned_activity", "office"}


def test_category_c_needs_no_activity_office_nor_user_contract():
    application = submit(category="C", planned_activity="", office=None)
    kinds = set(application.acceptances.values_list("document__kind", flat=True))
    assert kinds == {"statutes", "internal_rules"}


def test_shares_below_the_minimum_of_the_policy_in_force_are_refused():
    with pytest.raises(ValidationError) as excinfo:
        submit(shares=0)
    assert "shares" in errors_of(excinfo)
    policy = SharePolicy.objects.get()
    policy.minimum_shares = 3
    policy.save()
    with pytest.raises(ValidationError) as excinfo:
        submit(shares=2)
    assert errors_of(excinfo)["shares"] == ["Subscribe at least 3 share(s)."]


def test_every_required_document_must_be_accepted():
    statutes_only = [d for d in documents() if d.kind == MembershipDocument.Kind.STATUTES]
    with pytest.raises(ValidationError) as excinfo:
        submit(accepted_documents=statutes_only)
    message = errors_of(excinfo)["accepted_documents"][0]
    assert "internal rules" in message and "user contract" in message
    assert DocumentAcceptance.objects.count() == 0


def test_only_an_advisor_can_backdate_a_paper_application(claire):
    with pytest.raises(PermissionDenied):
        submit(on=date(2024, 3, 1))
    application = submit(on=date(2024, 3, 1), by=claire)
    assert application.submitted_on == date(2024, 3, 1)


# --- paying and deciding -------------------------------------------------------------------


def test_a_payment_before_the_decision_waits_on_the_application_and_is_capped(claire):
    application = submit()
    assert share_payment_match_reference(application.structured_reference) == application
    ref = application.structured_reference
    assert share_payment_match_reference(f"+++{ref[:3]}/{ref[3:7]}/{ref[7:]}+++") == application
    share_payment_record(target=application, amount=Decimal("40.00"), paid_on=timezone.localdate())
    with pytest.raises(ValidationError) as excinfo:
        share_payment_record(
            target=application, amount=Decimal("20.01"), paid_on=timezone.localdate()
        )
    assert "amount" in errors_of(excinfo)
    application.refresh_from_db()
    assert application.paid_amount == Decimal("40.00")


def test_approval_makes_a_member_with_a_number_the_subscription_and_the_payment(claire):
    application = submit()
    share_payment_record(target=application, amount=Decimal("60.00"), paid_on=timezone.localdate())
    decided = timezone.localdate()
    member = application_approve(application=application, by=claire, on=decided)
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    assert application.member == member and application.decided_by == claire
    assert member.number is not None
    assert member.member_since == decided
    assert member.status == Member.Status.MEMBER
    assert member.may_open_units is True
    assert member.user.email == "eva@example.test"
    operations = list(
        ShareRegisterEntry.objects.filter(member=member).values_list("operation", flat=True)
    )
    assert operations == ["subscription", "payment"]
    position = member_shares(member=member)
    assert (position.held, position.nominal, position.paid_up) == (2, Decimal("60"), Decimal("60"))
    # The reference now pays the subscription in the register.
    assert share_payment_match_reference(application.structured_reference).operation == (
        "subscription"
    )
    assert audit_trail(application).first().action == "membership_application.approved"


def test_a_payment_after_approval_goes_to_the_register(claire):
    application = submit()
    member = application_approve(
        application=application, by=claire, unpaid_reason="Pays by standing order"
    )
    entry = share_payment_record(
        target=application,
        amount=Decimal("30.00"),
        paid_on=timezone.localdate(),
        bank_reference="B-1",
    )
    assert entry.operation == "payment" and entry.member == member
    assert member_shares(member=member).unpaid == Decimal("30.00")
    with pytest.raises(ValidationError) as excinfo:
        share_payment_record(
            target=entry.related_entry, amount="30.01", paid_on=timezone.localdate()
        )
    assert "amount" in errors_of(excinfo)


def test_category_b_members_may_not_open_units(claire):
    application = submit(category="B", planned_activity="", office=None)
    share_payment_record(target=application, amount=Decimal("60.00"), paid_on=timezone.localdate())
    member = application_approve(application=application, by=claire)
    assert member.category == "B" and member.may_open_units is False


def test_an_application_is_decided_once_by_an_advisor(claire, bob):
    application = submit()
    share_payment_record(target=application, amount=Decimal("60.00"), paid_on=timezone.localdate())
    with pytest.raises(PermissionDenied):
        application_approve(application=application, by=bob)
    application_approve(application=application, by=claire)
    with pytest.raises(ValidationError) as excinfo:
        application_approve(application=application, by=claire)
    assert "status" in errors_of(excinfo)
    with pytest.raises(ValidationError):
        application_refuse(application=application, by=claire, reason="x")
    assert _members_with(application).count() == 1


def test_the_decision_cannot_be_in_the_future_or_before_the_application(claire):
    application = submit()
    with pytest.raises(ValidationError) as excinfo:
        application_approve(
            application=application, by=claire, on=timezone.localdate() + timedelta(2)
        )
    assert "on" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        application_approve(application=application, by=claire, on=date(2020, 1, 1))
    assert "on" in errors_of(excinfo)
    assert _members_with(application).count() == 0


def test_a_refusal_needs_a_reason_and_returns_money_received(claire):
    application = submit()
    share_payment_record(target=application, amount=Decimal("60.00"), paid_on=timezone.localdate())
    with pytest.raises(ValidationError) as excinfo:
        application_refuse(application=application, by=claire, reason="   ")
    assert "reason" in errors_of(excinfo)
    application_refuse(application=application, by=claire, reason="Activité non assurable")
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.REFUSED
    assert application.reason == "Activité non assurable"
    payout = RefundPayout.objects.get(application=application)
    assert payout.amount == Decimal("60.00")
    assert payout.iban == "BE71096123456769"
    assert payout.status == RefundPayout.Status.PENDING
    assert share_payment_match_reference(application.structured_reference) is None
    with pytest.raises(ValidationError) as excinfo:
        share_payment_record(
            target=application, amount=Decimal("1.00"), paid_on=timezone.localdate()
        )
    assert "target" in errors_of(excinfo)
    assert not Member.objects.filter(
        national_number_hash=lookup_hash(application.national_number)
    ).exists()


def _members_with(application):
    """The members with the national number of `application` (by its keyed hash)."""
    return Member.objects.filter(national_number_hash=lookup_hash(application.national_number))
