"""Voting twice at the same moment, on PostgreSQL with parallel connections: the same member
online from two browsers, online and by proxy and in the room at once. Exactly one
participation and at most one ballot are recorded, and the chain stays whole."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from governance.models import EncryptedBallot, Participation
from governance.services.assemblies import agenda_item_add
from governance.services.meeting import attendance_record
from governance.services.proxies import proxy_answer, proxy_decide, proxy_give
from governance.services.roll import assembly_convene
from governance.services.voting import ballot_cast
from governance.tally import chain_problems
from tests import governance_helpers as gh

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

WAIT = 30  # seconds: a deadlock fails the test instead of hanging it


@pytest.fixture
def vote():
    people = gh.personas()
    assembly = gh.draft_assembly(people["denis"])
    item = agenda_item_add(assembly=assembly, title="Accounts", kind="ordinary", by=people["denis"])
    assembly = assembly_convene(assembly=assembly, by=people["denis"]).assembly
    return {**people, "assembly": assembly, "item": item}


def _together(calls):
    barrier = threading.Barrier(len(calls), timeout=WAIT)
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            outcomes.append(("ok", call()))
        except Exception as error:  # counted by the test
            outcomes.append(("refused", error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_the_same_member_casting_from_four_browsers_at_once_votes_once(vote):
    alice = vote["alice"].member
    choices = {"items": {str(vote["item"].pk): "for"}}
    outcomes = _together(
        [
            lambda: ballot_cast(
                assembly=vote["assembly"], voter=alice, choices=choices, now=gh.DURING
            )
            for _ in range(4)
        ]
    )
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused", "refused", "refused"]
    assert Participation.objects.filter(member=alice).count() == 1
    assert EncryptedBallot.objects.count() == 1
    vote["assembly"].refresh_from_db()
    assert chain_problems(vote["assembly"]) == []


def test_online_by_proxy_and_in_the_room_at_once_counts_one_person_once(vote):
    alice, bob = vote["alice"].member, vote["bob"].member
    assembly = vote["assembly"]
    proxy = proxy_give(assembly=assembly, giver=alice, holder=bob, now=gh.DURING)
    proxy_answer(proxy=proxy, holder=bob, accept=True, now=gh.DURING)
    proxy_decide(proxy=proxy, by=vote["claire"], validate=True, now=gh.DURING)
    choices = {"items": {str(vote["item"].pk): "against"}}
    outcomes = _together(
        [
            lambda: ballot_cast(assembly=assembly, voter=alice, choices=choices, now=gh.DURING),
            lambda: ballot_cast(
                assembly=assembly, voter=bob, for_member=alice, choices=choices, now=gh.DURING
            ),
            lambda: attendance_record(assembly=assembly, member=alice, by=vote["claire"]),
            lambda: ballot_cast(assembly=assembly, voter=alice, choices=choices, now=gh.DURING),
        ]
    )
    assert [kind for kind, _ in outcomes].count("ok") == 1
    assert Participation.objects.filter(member=alice).count() == 1
    channel = Participation.objects.get(member=alice).channel
    assert EncryptedBallot.objects.count() == (0 if channel == "in_person" else 1)
    assembly.refresh_from_db()
    assert chain_problems(assembly) == []


def test_the_database_itself_refuses_a_second_participation(vote):
    alice = vote["alice"].member
    Participation.objects.create(
        assembly=vote["assembly"], member=alice, channel="online", day=gh.MEETING
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(
            assembly=vote["assembly"], member=alice, channel="in_person", day=gh.MEETING
        )
