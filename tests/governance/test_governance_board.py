"""The board's mandates: the limit of mandates, candidacies and their deadline, elected
mandates started by the count, cooptations and their ratification, early ends, representatives
of member organisations, the partial yearly renewal."""

import datetime
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.audit import audit_trail
from governance.board_services import (
    candidacy_file,
    candidacy_refuse,
    candidacy_withdraw,
    cooptation_record,
    mandate_end,
    mandates_start_for_elected,
    ratification_decided,
    representative_change,
)
from governance.models import (
    AgendaItem,
    Candidacy,
    ElectionCandidate,
    GeneralAssembly,
    GovernancePolicy,
    Mandate,
)
from governance.selectors import (
    board_on,
    candidacies_for_election,
    candidacy_window,
    governance_policy_on,
    mandates_count,
    mandates_ending_at_next_assembly,
    pending_ratifications,
)
from tests.governance_helpers import assembly, item, mandate, person_member

pytestmark = pytest.mark.django_db


def at(day: date, hour=12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def alice_member(alice):
    return alice.member


@pytest.fixture
def urbike(admin_user):
    return person_member(
        admin_user, "", "", is_organisation=True, organisation_name="Urbike", since=date(2016, 1, 1)
    )


# --- the statutes' rules -----------------------------------------------------------------------


def test_the_policy_in_force_is_the_default_one_of_the_statutes():
    policy = governance_policy_on(date(2026, 6, 1))
    assert (policy.mandate_years, policy.mandate_limit, policy.candidacy_days) == (4, 2, 30)


def test_no_policy_in_force_is_a_clear_refusal():
    with pytest.raises(ValidationError, match="No governance policy is in force on 01/01/2019"):
        governance_policy_on(date(2019, 1, 1))


def test_a_newer_policy_wins_from_its_first_day():
    GovernancePolicy.objects.filter(valid_to__isnull=True).update(valid_to=date(2026, 12, 31))
    GovernancePolicy.objects.create(
        valid_from=date(2027, 1, 1),
        mandate_years=3,
        mandate_limit=3,
        proxy_cap=1,
        statute_quorum="0.5",
        statute_majority="0.75",
    )
    assert governance_policy_on(date(2026, 12, 31)).mandate_limit == 2
    assert governance_policy_on(date(2027, 1, 1)).mandate_limit == 3


# --- the limit of mandates -----------------------------------------------------------------------


def test_a_member_with_two_mandates_cannot_file_a_candidacy(alice, alice_member):
    mandate(alice_member, start=date(2015, 6, 16))
    mandate(alice_member, start=date(2019, 6, 18))
    assert mandates_count(alice_member) == 2
    with pytest.raises(ValidationError) as refused:
        candidacy_file(member=alice_member, statement="Encore", by=alice, now=at(date(2026, 3, 1)))
    assert refused.value.messages == [
        "Alice Lambert has already held 2 board mandate(s): the statutes allow 2 at most."
    ]
    assert not Candidacy.objects.exists()


def test_a_member_with_one_mandate_may_stand_again(alice, alice_member):
    mandate(alice_member, start=date(2022, 6, 14))
    candidacy = candidacy_file(
        member=alice_member, statement="Un second mandat", by=alice, now=at(date(2026, 3, 1))
    )
    assert candidacy.status == Candidacy.Status.FILED


def test_a_cooptation_refused_by_the_assembly_does_not_count(alice_member):
    mandate(alice_member, start=date(2018, 6, 12))
    mandate(
        alice_member,
        start=date(2023, 1, 10),
        how=Mandate.How.COOPTED,
        ratification=Mandate.Ratification.REFUSED,
    )
    assert mandates_count(alice_member) == 1


def test_a_cooptation_pending_or_ratified_counts(alice_member):
    mandate(alice_member, start=date(2018, 6, 12))
    mandate(
        alice_member,
        start=date(2023, 1, 10),
        how=Mandate.How.COOPTED,
        ratification=Mandate.Ratification.PENDING,
    )
    assert mandates_count(alice_member) == 2


# --- candidacies ----------------------------------------------------------------------------------


def test_a_candidacy_before_the_deadline_is_for_this_years_election(alice, alice_member):
    ga = assembly(day=date(2026, 6, 16))
    window = candidacy_window(date(2026, 5, 17))
    assert (window.assembly, window.deadline, window.late) == (ga, date(2026, 5, 17), False)
    candidacy = candidacy_file(
        member=alice_member, statement="Je me présente", by=alice, now=at(date(2026, 5, 17))
    )
    assert (candidacy.year, candidacy.status) == (2026, Candidacy.Status.FILED)
    assert [e.action for e in audit_trail(candidacy)] == ["candidacy.filed"]


def test_a_late_candidacy_is_kept_for_next_years_election(alice, alice_member):
    assembly(day=date(2026, 6, 16))
    candidacy = candidacy_file(
        member=alice_member, statement="Un peu tard", by=alice, now=at(date(2026, 5, 18))
    )
    assert (candidacy.year, candidacy.status) == (2027, Candidacy.Status.DEFERRED)
    assert [e.action for e in audit_trail(candidacy)] == ["candidacy.deferred"]


def test_without_a_planned_assembly_the_candidacy_is_for_this_year(alice, alice_member):
    candidacy = candidacy_file(
        member=alice_member, statement="Je me présente", by=alice, now=at(date(2026, 2, 1))
    )
    assert (candidacy.year, candidacy.status) == (2026, Candidacy.Status.FILED)
    assert candidacy_window(date(2026, 2, 1)).deadline is None


def test_after_this_years_assembly_the_candidacy_is_for_next_year(alice, alice_member):
    assembly(day=date(2026, 6, 16), status=GeneralAssembly.Status.PUBLISHED)
    candidacy = candidacy_file(
        member=alice_member, statement="Pour l'an prochain", by=alice, now=at(date(2026, 9, 1))
    )
    assert (candidacy.year, candidacy.status) == (2027, Candidacy.Status.FILED)


def test_one_candidacy_per_election(alice, alice_member):
    candidacy_file(member=alice_member, statement="Une", by=alice, now=at(date(2026, 2, 1)))
    with pytest.raises(ValidationError, match="already a candidate for the 2026 election"):
        candidacy_file(member=alice_member, statement="Deux", by=alice, now=at(date(2026, 2, 2)))


def test_a_statement_is_required_and_an_organisation_names_its_representative(admin_user, urbike):
    with pytest.raises(ValidationError) as refused:
        candidacy_file(member=urbike, statement=" ", by=admin_user, now=at(date(2026, 2, 1)))
    assert set(refused.value.message_dict) == {"statement", "representative_name"}
    candidacy = candidacy_file(
        member=urbike,
        statement="Mobilité",
        representative_name="Renaud Sarrazin",
        by=admin_user,
        now=at(date(2026, 2, 1)),
    )
    assert candidacy.representative_name == "Renaud Sarrazin"


def test_a_member_cannot_file_someone_elses_candidacy(bob, alice_member):
    with pytest.raises(PermissionDenied):
        candidacy_file(member=alice_member, statement="Pour elle", by=bob)


def test_the_candidate_withdraws_then_may_file_again(alice, alice_member):
    first = candidacy_file(member=alice_member, statement="1", by=alice, now=at(date(2026, 2, 1)))
    candidacy_withdraw(candidacy=first, by=alice)
    first.refresh_from_db()
    assert first.status == Candidacy.Status.WITHDRAWN
    again = candidacy_file(member=alice_member, statement="2", by=alice, now=at(date(2026, 2, 2)))
    assert again.status == Candidacy.Status.FILED


def test_the_board_refuses_a_candidacy_with_a_reason(alice, alice_member, denis):
    candidacy = candidacy_file(member=alice_member, statement="1", by=alice)
    with pytest.raises(PermissionDenied):
        candidacy_refuse(candidacy=candidacy, reason="Non", by=alice)
    candidacy_refuse(candidacy=candidacy, reason="Parts non libérées", by=denis)
    candidacy.refresh_from_db()
    assert (candidacy.status, candidacy.reason) == (Candidacy.Status.REFUSED, "Parts non libérées")
    with pytest.raises(ValidationError, match="can no longer be withdrawn"):
        candidacy_withdraw(candidacy=candidacy, by=alice)


# --- elected mandates -----------------------------------------------------------------------------


def test_the_elected_get_their_mandate_once_and_the_candidacies_are_marked(
    alice, alice_member, bob, admin_user
):
    ga = assembly(day=date(2026, 6, 16), status="closed", rules={"mandate_years": 4})
    election = item(ga, seats=1)
    filed = candidacy_file(member=alice_member, statement="A", by=alice, now=at(date(2026, 3, 1)))
    lost = candidacy_file(member=bob.member, statement="B", by=bob, now=at(date(2026, 3, 1)))
    alice_line = ElectionCandidate.objects.create(
        item=election, member=alice_member, candidacy=filed
    )
    ElectionCandidate.objects.create(item=election, member=bob.member, candidacy=lost)

    started = mandates_start_for_elected(item=election, elected=[alice_line], by=admin_user)
    again = mandates_start_for_elected(item=election, elected=[alice_line], by=admin_user)

    assert again == []
    (elected,) = started
    assert Mandate.objects.get() == elected
    assert (elected.how, elected.start, elected.end, elected.elected_by) == (
        Mandate.How.ELECTED,
        date(2026, 6, 16),
        date(2030, 6, 16),
        election,
    )
    filed.refresh_from_db()
    lost.refresh_from_db()
    assert (filed.status, lost.status) == (Candidacy.Status.ELECTED, Candidacy.Status.NOT_ELECTED)
    assert [e.action for e in audit_trail(elected)] == ["mandate.started"]


def test_an_organisation_elected_sits_through_the_candidates_representative(admin_user, urbike):
    ga = assembly(day=date(2025, 6, 17), status="closed", rules={"mandate_years": 4})
    election = item(ga, seats=1)
    line = ElectionCandidate.objects.create(
        item=election, member=urbike, representative_name="Renaud Sarrazin"
    )
    (elected,) = mandates_start_for_elected(item=election, elected=[line], by=admin_user)
    assert elected.representative_name == "Renaud Sarrazin"


# --- cooptations ----------------------------------------------------------------------------------


@pytest.fixture
def vacant(admin_user):
    """Marc's mandate 2023–2027, ended by his resignation on 1 October 2025."""
    marc = person_member(admin_user, "Marc", "Lejeune")
    seat = mandate(marc, start=date(2023, 6, 13))
    return mandate_end(
        mandate=seat,
        on=date(2025, 10, 1),
        reason=Mandate.EndReason.RESIGNATION,
        by=admin_user,
        note="Lettre du 15/09/2025",
    )


def test_a_cooptation_runs_until_the_end_of_the_vacant_mandate(admin_user, alice_member, vacant):
    coopted = cooptation_record(
        member=alice_member,
        replaces=vacant,
        start=date(2025, 11, 15),
        by=admin_user,
        reason="CA du 15/11/2025",
    )
    assert (coopted.how, coopted.start, coopted.end) == (
        Mandate.How.COOPTED,
        date(2025, 11, 15),
        date(2027, 6, 13),
    )
    assert coopted.ratification == Mandate.Ratification.PENDING
    assert list(pending_ratifications()) == [coopted]
    assert list(board_on(date(2025, 12, 1))) == [coopted]


def test_a_cooptation_adds_its_ratification_to_the_next_draft_ordinary_assembly(
    admin_user, alice_member, vacant
):
    assembly(day=date(2026, 3, 1), kind=GeneralAssembly.Kind.EXTRAORDINARY)
    assembly(day=date(2026, 5, 1), status=GeneralAssembly.Status.CONVENED)
    draft = assembly(day=date(2026, 6, 16))
    coopted = cooptation_record(
        member=alice_member, replaces=vacant, start=date(2025, 11, 15), by=admin_user, reason="CA"
    )
    (ratification,) = AgendaItem.objects.filter(kind=AgendaItem.Kind.RATIFICATION)
    assert (ratification.assembly, ratification.mandate) == (draft, coopted)
    assert ratification.title == "Ratify the cooptation of Alice Lambert"
    assert list(pending_ratifications()) == []


def test_only_the_board_coopts(alice, alice_member, vacant):
    with pytest.raises(PermissionDenied):
        cooptation_record(
            member=alice_member, replaces=vacant, start=date(2025, 11, 15), by=alice, reason="x"
        )


def test_a_seat_is_vacant_only_after_a_resignation_or_revocation(admin_user, alice_member):
    sitting = mandate(person_member(admin_user, "Paul", "Sitting"), start=date(2023, 6, 13))
    with pytest.raises(ValidationError, match="has not ended early"):
        cooptation_record(
            member=alice_member,
            replaces=sitting,
            start=date(2025, 11, 15),
            by=admin_user,
            reason="CA",
        )


def test_a_seat_is_filled_once_and_not_before_it_is_vacant(admin_user, alice_member, bob, vacant):
    with pytest.raises(ValidationError) as early:
        cooptation_record(
            member=alice_member,
            replaces=vacant,
            start=date(2025, 9, 1),
            by=admin_user,
            reason="CA",
        )
    assert "start" in early.value.message_dict
    cooptation_record(
        member=alice_member, replaces=vacant, start=date(2025, 11, 15), by=admin_user, reason="CA"
    )
    with pytest.raises(ValidationError, match="already filled"):
        cooptation_record(
            member=bob.member,
            replaces=vacant,
            start=date(2025, 12, 1),
            by=admin_user,
            reason="CA",
        )


def test_the_limit_of_mandates_applies_to_a_cooptation(admin_user, alice_member, vacant):
    mandate(alice_member, start=date(2012, 6, 12))
    mandate(alice_member, start=date(2016, 6, 14))
    with pytest.raises(ValidationError) as refused:
        cooptation_record(
            member=alice_member,
            replaces=vacant,
            start=date(2025, 11, 15),
            by=admin_user,
            reason="CA",
        )
    assert refused.value.message_dict == {
        "member": [
            "Alice Lambert has already held 2 board mandate(s): the statutes allow 2 at most."
        ]
    }


def test_a_refused_ratification_ends_the_mandate_on_the_assemblys_date(
    admin_user, alice_member, vacant
):
    ga = assembly(day=date(2026, 6, 16))
    coopted = cooptation_record(
        member=alice_member, replaces=vacant, start=date(2025, 11, 15), by=admin_user, reason="CA"
    )
    ratification = ga.items.get(kind=AgendaItem.Kind.RATIFICATION)

    ratification_decided(item=ratification, adopted=False, by=admin_user)

    coopted.refresh_from_db()
    assert (coopted.ratification, coopted.ended_on, coopted.end_reason) == (
        Mandate.Ratification.REFUSED,
        date(2026, 6, 16),
        Mandate.EndReason.RATIFICATION_REFUSED,
    )
    assert coopted.active_on(date(2026, 6, 15)) and not coopted.active_on(date(2026, 6, 16))
    assert mandates_count(alice_member) == 0
    with pytest.raises(ValidationError, match="already refused"):
        ratification_decided(item=ratification, adopted=True, by=admin_user)


def test_a_ratified_cooptation_keeps_its_term(admin_user, alice_member, vacant):
    ga = assembly(day=date(2026, 6, 16))
    coopted = cooptation_record(
        member=alice_member, replaces=vacant, start=date(2025, 11, 15), by=admin_user, reason="CA"
    )
    ratification = ga.items.get(kind=AgendaItem.Kind.RATIFICATION)
    ratification_decided(item=ratification, adopted=True, by=admin_user)
    ratification_decided(item=ratification, adopted=True, by=admin_user)
    coopted.refresh_from_db()
    assert (coopted.ratification, coopted.ratified_by, coopted.ended_on) == (
        Mandate.Ratification.RATIFIED,
        ratification,
        None,
    )
    assert [e.action for e in audit_trail(coopted)] == ["mandate.ratified", "mandate.coopted"]


# --- early ends and representatives ---------------------------------------------------------------


def test_a_resignation_ends_the_mandate_that_day_with_the_note_audited(vacant):
    assert (vacant.ended_on, vacant.end_reason) == (
        date(2025, 10, 1),
        Mandate.EndReason.RESIGNATION,
    )
    assert vacant.active_on(date(2025, 9, 30)) and not vacant.active_on(date(2025, 10, 1))
    (event,) = audit_trail(vacant)
    assert (event.action, event.reason) == ("mandate.resignation", "Lettre du 15/09/2025")


def test_an_end_of_term_is_not_recorded(admin_user, vacant):
    with pytest.raises(ValidationError) as refused:
        mandate_end(
            mandate=vacant,
            on=date(2026, 1, 1),
            reason=Mandate.EndReason.TERM,
            by=admin_user,
            note="x",
        )
    assert "reason" in refused.value.message_dict


def test_the_representative_changes_without_a_new_mandate_and_is_audited(admin_user, urbike):
    seat = mandate(urbike, start=date(2025, 6, 17), representative_name="Renaud Sarrazin")
    representative_change(
        mandate=seat, name="Lucie Verhaegen", by=admin_user, reason="Lettre d'Urbike"
    )
    seat.refresh_from_db()
    assert seat.representative_name == "Lucie Verhaegen"
    assert Mandate.objects.count() == 1
    (event,) = audit_trail(seat)
    assert (event.action, event.changes, event.reason) == (
        "mandate.representative_changed",
        {"representative_name": ["Renaud Sarrazin", "Lucie Verhaegen"]},
        "Lettre d'Urbike",
    )


def test_a_person_has_no_representative(admin_user, alice_member):
    seat = mandate(alice_member, start=date(2025, 6, 17))
    with pytest.raises(ValidationError, match="Only a member organisation"):
        representative_change(mandate=seat, name="Quelqu'un", by=admin_user, reason="x")


# --- the partial yearly renewal -------------------------------------------------------------------


def test_the_mandates_ending_at_the_next_assembly_and_the_seats_to_elect(
    admin_user, alice_member, vacant
):
    ga = assembly(day=date(2027, 6, 15))
    old = mandate(person_member(admin_user, "Anne", "Ancienne"), start=date(2023, 6, 13))
    mandate(person_member(admin_user, "Yves", "Young"), start=date(2025, 6, 17))
    coopted = cooptation_record(
        member=alice_member, replaces=vacant, start=date(2025, 11, 15), by=admin_user, reason="CA"
    )

    renewal = mandates_ending_at_next_assembly(date(2026, 12, 1))

    assert renewal.assembly == ga
    assert renewal.year == 2027
    assert {m.pk for m in renewal.ending} == {old.pk, coopted.pk}
    # Anne's seat and Marc's (held by Alice since the cooptation): two seats to elect.
    assert renewal.seats == 2


def test_after_this_years_election_the_renewal_is_next_years(admin_user, alice, alice_member):
    """No assembly recorded, but members were elected in June: the AG took place."""
    mandate(person_member(admin_user, "Urs", "Urbain"), start=date(2026, 6, 16))
    ending = mandate(person_member(admin_user, "Anne", "Ancienne"), start=date(2023, 6, 13))
    renewal = mandates_ending_at_next_assembly(date(2026, 12, 6))
    assert (renewal.year, renewal.assembly, renewal.seats) == (2027, None, 1)
    assert [m.pk for m in renewal.ending] == [ending.pk]
    candidacy = candidacy_file(
        member=alice_member, statement="Pour 2027", by=alice, now=at(date(2026, 12, 6))
    )
    assert (candidacy.year, candidacy.status) == (2027, Candidacy.Status.FILED)
    # Before June, the same year's election is still to come.
    assert mandates_ending_at_next_assembly(date(2026, 3, 1)).year == 2026


def test_a_member_re_elected_at_the_end_of_their_term_sits_once(alice, alice_member, admin_user):
    old = mandate(alice_member, start=date(2022, 6, 18))  # ends 18/06/2026
    ga = assembly(day=date(2026, 6, 16), status="closed", rules={"mandate_years": 4})
    election = item(ga, seats=1)
    line = ElectionCandidate.objects.create(item=election, member=alice_member)
    (new,) = mandates_start_for_elected(item=election, elected=[line], by=admin_user)
    old.refresh_from_db()
    assert (old.ended_on, old.end_reason) == (date(2026, 6, 16), Mandate.EndReason.TERM)
    assert list(board_on(date(2026, 6, 17))) == [new]


def test_the_ballot_takes_the_candidacies_filed_and_kept_for_the_year(alice, bob, alice_member):
    assembly(day=date(2026, 6, 16))
    late = candidacy_file(member=alice_member, statement="A", by=alice, now=at(date(2026, 6, 1)))
    on_time = candidacy_file(member=bob.member, statement="B", by=bob, now=at(date(2027, 1, 5)))
    assert [c.pk for c in candidacies_for_election(2027)] == [late.pk, on_time.pk]
