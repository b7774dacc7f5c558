"""A general assembly from the draft to the mandates of the elected, through the services that
the portal, the back-office, the API and the commands call."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from governance.models import (
    AgendaItem,
    ClearBallot,
    EncryptedBallot,
    GeneralAssembly,
    ItemResult,
    Participation,
    Proxy,
)
from governance.services.assemblies import agenda_item_add, agenda_item_change
from governance.services.meeting import attendance_record, paper_totals_enter
from governance.services.proxies import proxy_answer, proxy_decide, proxy_give
from governance.services.roll import assembly_convene
from governance.services.voting import ballot_cast, eligibility
from governance.tally import assembly_tally, verify_ballots
from tests import governance_helpers as gh

pytestmark = pytest.mark.django_db
Outcome = ItemResult.Outcome


@pytest.fixture
def people():
    return gh.personas()


@pytest.fixture
def world(people):
    """Five members on the roll: alice, bob, denis, erin (account) and frank (no account)."""
    admin = people["admin"]
    erin = gh.plain_member(by=admin, first_name="Erin", last_name="Eloy", email="erin@x.test")
    frank = gh.plain_member(by=admin, first_name="Frank", last_name="Fontaine")
    assembly = gh.draft_assembly(people["denis"])
    info, accounts, statutes, election, (cand_alice, cand_erin) = gh.full_agenda(
        assembly, people["denis"], [people["alice"].member, erin]
    )
    return {
        **people,
        "erin": erin,
        "frank": frank,
        "assembly": assembly,
        "accounts": accounts,
        "statutes": statutes,
        "election": election,
        "cand_alice": cand_alice,
        "cand_erin": cand_erin,
    }


def test_convening_freezes_the_rules_the_roll_and_its_hash_and_sends_convocations(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        convened = assembly_convene(assembly=world["assembly"], by=world["denis"])
    assembly = convened.assembly
    assert assembly.status == GeneralAssembly.Status.CONVENED
    numbers = sorted(
        m.number
        for m in [
            world["alice"].member,
            world["bob"].member,
            world["denis"].member,
            world["erin"],
            world["frank"],
        ]
    )
    assert list(assembly.roll.values_list("number", flat=True)) == numbers
    import hashlib

    expected = hashlib.sha256("".join(f"{n}\n" for n in numbers).encode()).hexdigest()
    assert assembly.roll_sha256 == expected
    assert assembly.rules["proxy_cap"] == 1 and assembly.rules["statute_majority"] == "0.7500"
    statutes = AgendaItem.objects.get(pk=world["statutes"].pk)
    assert statutes.rule == {"quorum": "0.5000", "majority": "0.7500", "strict": False}
    # The key is in the returned file only: the assembly keeps the public half.
    assert "private:" in convened.key_file and assembly.public_key in convened.key_file
    assert "private" not in str(assembly.rules)
    # Convocations to the four members with an address (frank has none), each in their language.
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(
        ["alice@smartcoop.test", "bob@smartcoop.test", "denis@smartcoop.test", "erin@x.test"]
    )
    assert all(f"/espace/assemblies/{assembly.pk}/" in m.body for m in mail.outbox)


def test_wording_is_locked_once_convened_and_the_attempt_is_audited(world):
    assembly_convene(assembly=world["assembly"], by=world["denis"])
    item = AgendaItem.objects.get(pk=world["accounts"].pk)
    with pytest.raises(ValidationError):
        agenda_item_change(item=item, by=world["denis"], title="Something else")
    item.refresh_from_db()
    assert item.title == "Approval of the accounts"
    event = AuditEvent.objects.get(action="change_refused", object_id=str(item.pk))
    assert event.changes == {"title": ["Approval of the accounts", "Something else"]}
    with pytest.raises(ValidationError):
        agenda_item_add(assembly=item.assembly, title="Late", kind="ordinary", by=world["denis"])


def test_only_the_board_convenes(world):
    with pytest.raises(PermissionDenied):
        assembly_convene(assembly=world["assembly"], by=world["claire"])


def test_a_full_assembly_end_to_end(world, django_capture_on_commit_callbacks):
    denis, claire = world["denis"], world["claire"]
    alice, bob, erin, frank = (
        world["alice"].member,
        world["bob"].member,
        world["erin"],
        world["frank"],
    )
    convened = assembly_convene(assembly=world["assembly"], by=denis)
    assembly = convened.assembly
    accounts, statutes, election = world["accounts"], world["statutes"], world["election"]
    ca, ce = world["cand_alice"], world["cand_erin"]

    # Erin gives her proxy to bob, who accepts; claire validates it.
    proxy = proxy_give(assembly=assembly, giver=erin, holder=bob, now=gh.DURING)
    proxy_answer(proxy=proxy, holder=bob, accept=True, now=gh.DURING)
    proxy_decide(proxy=proxy, by=claire, validate=True, now=gh.DURING)

    # Online ballots: alice, bob for himself and for erin.
    r1 = ballot_cast(
        assembly=assembly,
        voter=alice,
        now=gh.DURING,
        choices=gh.ballot(
            accounts=(accounts, "for"),
            statutes=(statutes, "for"),
            election=election,
            picks={ca: "for", ce: "against"},
        ),
    )
    r2 = ballot_cast(
        assembly=assembly,
        voter=bob,
        now=gh.DURING,
        choices=gh.ballot(
            accounts=(accounts, "for"),
            statutes=(statutes, "against"),
            election=election,
            picks={ca: "for", ce: "abstain"},
        ),
    )
    r3 = ballot_cast(
        assembly=assembly,
        voter=bob,
        for_member=erin,
        now=gh.DURING,
        choices=gh.ballot(
            accounts=(accounts, "abstain"),
            statutes=(statutes, "for"),
            election=election,
            picks={ca: "against", ce: "for"},
        ),
    )
    assert len({r1.receipt, r2.receipt, r3.receipt}) == 3
    assert Proxy.objects.get(pk=proxy.pk).status == Proxy.Status.USED
    assert Participation.objects.get(assembly=assembly, member=erin).channel == "proxy"

    # At the meeting: denis and frank are present and vote on paper.
    attendance_record(assembly=assembly, member=denis.member, by=claire)
    attendance_record(assembly=assembly, member=frank, by=claire)
    paper_totals_enter(item=accounts, by=claire, votes_for=1, votes_against=1, abstentions=0)
    paper_totals_enter(item=statutes, by=claire, votes_for=2, votes_against=0, abstentions=0)
    paper_totals_enter(
        item=election, candidate=ca, by=claire, votes_for=2, votes_against=0, abstentions=0
    )
    paper_totals_enter(
        item=election, candidate=ce, by=claire, votes_for=0, votes_against=1, abstentions=1
    )

    # Nothing is counted before closing.
    assert not ItemResult.objects.exists() and not ClearBallot.objects.exists()
    with pytest.raises(ValidationError):
        assembly_tally(assembly=assembly, key_file=convened.key_file, by=denis, now=gh.DURING)

    with django_capture_on_commit_callbacks(execute=True):
        assembly = assembly_tally(
            assembly=assembly, key_file=convened.key_file, by=denis, now=gh.AFTER
        )
    assert assembly.status == GeneralAssembly.Status.PUBLISHED
    results = {(r.item_id, r.candidate_id): r for r in ItemResult.objects.all()}
    # Accounts: for 2 online + 1 paper = 3, against 1, abstention 1: adopted.
    acc = results[(accounts.pk, None)]
    assert (acc.votes_for, acc.votes_against, acc.abstentions) == (3, 1, 1)
    assert acc.online["for"] == 2 and acc.paper["against"] == 1
    assert acc.outcome == Outcome.ADOPTED and acc.participated == 5 and acc.eligible == 5
    # Statutes: 4 for, 1 against = 80 % ≥ 75 %, quorum 5/5: adopted.
    st = results[(statutes.pk, None)]
    assert (st.votes_for, st.votes_against) == (4, 1) and st.outcome == Outcome.ADOPTED
    # Election, one seat: alice 4 for 1 against; erin 1 for 2 against.
    assert results[(election.pk, ca.pk)].outcome == Outcome.ELECTED
    assert results[(election.pk, ce.pk)].outcome == Outcome.NOT_ELECTED
    # The sealed contents are erased, receipts stay, clear ballots are as many.
    assert set(EncryptedBallot.objects.values_list("receipt", flat=True)) == {
        r1.receipt,
        r2.receipt,
        r3.receipt,
    }
    assert not any(bytes(s) for s in EncryptedBallot.objects.values_list("sealed", flat=True))
    assert ClearBallot.objects.filter(assembly=assembly).count() == 3
    assert verify_ballots(assembly) == []
    # The elected candidate's mandate starts on the day of the assembly, for the statutes' term.
    from governance.models import Mandate

    mandate = Mandate.objects.get(member=alice)
    assert mandate.how == Mandate.How.ELECTED and mandate.elected_by_id == election.pk
    assert mandate.start == gh.MEETING and mandate.end == gh.date(2030, 6, 18)
    assert not Mandate.objects.filter(member=erin).exists()
    # The minutes PDF is written (tasks run eagerly in tests).
    assembly.refresh_from_db()
    assert assembly.minutes_pdf.name.endswith(".pdf")
    assert assembly.minutes_pdf.read(5) == b"%PDF-"


def test_the_count_refuses_another_key(world):
    convened = assembly_convene(assembly=world["assembly"], by=world["denis"])
    other = gh.draft_assembly(world["denis"], title="Other")
    agenda_item_add(assembly=other, title="x", kind="ordinary", by=world["denis"])
    other_key = assembly_convene(assembly=other, by=world["denis"]).key_file
    with pytest.raises(ValidationError) as error:
        assembly_tally(
            assembly=convened.assembly, key_file=other_key, by=world["denis"], now=gh.AFTER
        )
    assert "key" in error.value.message_dict
    assert not ItemResult.objects.exists()


def test_voting_twice_is_refused_whatever_the_channel(world):
    convened = assembly_convene(assembly=world["assembly"], by=world["denis"])
    assembly = convened.assembly
    alice, bob = world["alice"].member, world["bob"].member
    choices = gh.ballot(
        accounts=(world["accounts"], "for"),
        statutes=(world["statutes"], "for"),
        election=world["election"],
        picks={world["cand_alice"]: "for", world["cand_erin"]: "against"},
    )
    ballot_cast(assembly=assembly, voter=alice, choices=choices, now=gh.DURING)
    with pytest.raises(ValidationError):
        ballot_cast(assembly=assembly, voter=alice, choices=choices, now=gh.DURING)
    with pytest.raises(ValidationError):
        attendance_record(assembly=assembly, member=alice, by=world["claire"])
    with pytest.raises(ValidationError):
        proxy_give(assembly=assembly, giver=alice, holder=bob, now=gh.DURING)
    assert EncryptedBallot.objects.filter(assembly=assembly).count() == 1


def test_a_giver_who_votes_online_cancels_the_proxy_and_the_holder_can_no_longer_use_it(world):
    assembly = assembly_convene(assembly=world["assembly"], by=world["denis"]).assembly
    alice, bob = world["alice"].member, world["bob"].member
    proxy = proxy_give(assembly=assembly, giver=alice, holder=bob, now=gh.DURING)
    proxy_answer(proxy=proxy, holder=bob, accept=True, now=gh.DURING)
    proxy_decide(proxy=proxy, by=world["claire"], validate=True, now=gh.DURING)
    choices = gh.ballot(
        accounts=(world["accounts"], "for"),
        statutes=(world["statutes"], "for"),
        election=world["election"],
        picks={world["cand_alice"]: "for", world["cand_erin"]: "against"},
    )
    ballot_cast(assembly=assembly, voter=alice, choices=choices, now=gh.DURING)
    assert Proxy.objects.get(pk=proxy.pk).status == Proxy.Status.CANCELLED
    with pytest.raises(PermissionDenied):
        ballot_cast(assembly=assembly, voter=bob, for_member=alice, choices=choices, now=gh.DURING)


def test_the_proxy_cap_is_the_statutes(world):
    assembly = assembly_convene(assembly=world["assembly"], by=world["denis"]).assembly
    bob = world["bob"].member
    first = proxy_give(assembly=assembly, giver=world["erin"], holder=bob, now=gh.DURING)
    proxy_answer(proxy=first, holder=bob, accept=True, now=gh.DURING)
    with pytest.raises(ValidationError) as error:
        proxy_give(assembly=assembly, giver=world["frank"], holder=bob, now=gh.DURING)
    assert "holder" in error.value.message_dict


def test_the_ballot_must_answer_every_item_and_respect_the_seats(world):
    assembly = assembly_convene(assembly=world["assembly"], by=world["denis"]).assembly
    alice = world["alice"].member
    missing = gh.ballot(
        accounts=(world["accounts"], "for"),
        election=world["election"],
        picks={world["cand_alice"]: "for", world["cand_erin"]: "against"},
    )
    with pytest.raises(ValidationError) as error:
        ballot_cast(assembly=assembly, voter=alice, choices=missing, now=gh.DURING)
    assert f"item_{world['statutes'].pk}" in error.value.message_dict
    too_many = gh.ballot(
        accounts=(world["accounts"], "for"),
        statutes=(world["statutes"], "for"),
        election=world["election"],
        picks={world["cand_alice"]: "for", world["cand_erin"]: "for"},
    )
    with pytest.raises(ValidationError) as error:
        ballot_cast(assembly=assembly, voter=alice, choices=too_many, now=gh.DURING)
    assert f"item_{world['election'].pk}" in error.value.message_dict
    assert not Participation.objects.exists()


def test_who_cannot_vote_is_told_why(world):
    admin = world["admin"]
    late = gh.plain_member(
        by=admin, first_name="Late", last_name="Joiner", member_since=gh.date(2026, 5, 20)
    )
    assembly = assembly_convene(assembly=world["assembly"], by=world["denis"]).assembly
    why = eligibility(assembly=assembly, member=late, now=gh.DURING)
    assert not why.can_vote and why.reason == "not_on_roll"
    assert "after the record date" in why.message
    assert eligibility(assembly=assembly, member=world["bob"].member, now=gh.DURING).can_vote
    before = eligibility(
        assembly=assembly, member=world["bob"].member, now=gh.OPENS - gh.timedelta(hours=1)
    )
    assert before.reason == "not_open_yet"
    after = eligibility(assembly=assembly, member=world["bob"].member, now=gh.AFTER)
    assert after.reason == "closed"


def test_a_tie_and_a_missed_quorum_are_reported_as_such(world):
    denis = world["denis"]
    convened = assembly_convene(assembly=world["assembly"], by=denis)
    assembly = convened.assembly
    picks = {world["cand_alice"]: "abstain", world["cand_erin"]: "abstain"}
    ballot_cast(
        assembly=assembly,
        voter=world["alice"].member,
        now=gh.DURING,
        choices=gh.ballot(
            accounts=(world["accounts"], "for"),
            statutes=(world["statutes"], "for"),
            election=world["election"],
            picks=picks,
        ),
    )
    ballot_cast(
        assembly=assembly,
        voter=world["bob"].member,
        now=gh.DURING,
        choices=gh.ballot(
            accounts=(world["accounts"], "against"),
            statutes=(world["statutes"], "for"),
            election=world["election"],
            picks=picks,
        ),
    )
    assembly_tally(assembly=assembly, key_file=convened.key_file, by=denis, now=gh.AFTER)
    accounts = ItemResult.objects.get(item=world["accounts"])
    assert accounts.outcome == Outcome.TIE
    # 2 of 5 took part: under the statutes' half.
    statutes = ItemResult.objects.get(item=world["statutes"])
    assert statutes.outcome == Outcome.NO_QUORUM and not statutes.quorum_met


def test_one_reminder_goes_to_those_who_have_not_voted_n_days_before_closing(
    world, django_capture_on_commit_callbacks
):
    from governance.notices import reminders_send_due

    assembly = assembly_convene(assembly=world["assembly"], by=world["denis"]).assembly
    choices = gh.ballot(
        accounts=(world["accounts"], "for"),
        statutes=(world["statutes"], "for"),
        election=world["election"],
        picks={world["cand_alice"]: "for", world["cand_erin"]: "against"},
    )
    ballot_cast(assembly=assembly, voter=world["alice"].member, choices=choices, now=gh.DURING)
    mail.outbox.clear()
    # Four days before closing: too early (the policy says three).
    assert reminders_send_due(now=gh.CLOSES - gh.timedelta(days=4)) == 0
    sent = reminders_send_due(now=gh.CLOSES - gh.timedelta(days=2))
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert sent == 3 and recipients == ["bob@smartcoop.test", "denis@smartcoop.test", "erin@x.test"]
    # The reminder says nothing of who voted or how many.
    assert all("alice" not in m.body.lower() and "took part" not in m.body for m in mail.outbox)
    # Once only.
    assert reminders_send_due(now=gh.CLOSES - gh.timedelta(days=1)) == 0
    assert len(mail.outbox) == 3


def test_convocations_carry_on_where_they_stopped(world, django_capture_on_commit_callbacks):
    from governance import notices

    assembly = assembly_convene(assembly=world["assembly"], by=world["denis"]).assembly
    mail.outbox.clear()
    notices.BATCH, batch = 2, notices.BATCH
    try:
        first = notices.convocations_send(assembly=assembly)
        again = notices.convocations_send(assembly=assembly)
    finally:
        notices.BATCH = batch
    assert first == 4 and again == 0
    assert len(mail.outbox) == 4


def test_the_vote_opens_early_only_as_far_as_the_statutes_allow(world):
    from governance.models import GovernancePolicy

    policy = GovernancePolicy.objects.get()
    policy.early_voting_days = 7  # the draft opens 14 days before the meeting
    policy.save()
    with pytest.raises(ValidationError) as error:
        assembly_convene(assembly=world["assembly"], by=world["denis"])
    assert "voting_opens_at" in error.value.message_dict
    policy.early_voting = False
    policy.save()
    with pytest.raises(ValidationError) as error:
        assembly_convene(assembly=world["assembly"], by=world["denis"])
    assert "before the meeting day" in error.value.message_dict["voting_opens_at"][0]
    assert GeneralAssembly.objects.get(pk=world["assembly"].pk).status == "draft"
    policy.early_voting, policy.early_voting_days = True, 14
    policy.save()
    assert assembly_convene(assembly=world["assembly"], by=world["denis"])
