"""core.bulk.AnyOf: the rows whose column is one of many values, as Django's `__in` finds
them, sent to PostgreSQL as one array parameter."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.bulk import AnyOf
from members.models import Member, User

pytestmark = pytest.mark.django_db


def test_finds_what_in_finds(alice, bob, claire):
    wanted = [alice.member.pk, bob.member.pk, 10**9]  # one that exists nowhere
    found = set(Member.objects.filter(AnyOf("pk", wanted)).values_list("pk", flat=True))
    assert found == set(Member.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert found == {alice.member.pk, bob.member.pk}


def test_follows_a_relation_and_combines_with_other_conditions(alice, bob):
    emails = [alice.email, bob.email]
    found = Member.objects.filter(AnyOf("user__email", emails), number=alice.member.number)
    assert list(found) == [alice.member]


def test_takes_any_iterable_once(alice, bob):
    ids = (pk for pk in [alice.pk, bob.pk])
    assert User.objects.filter(AnyOf("pk", ids)).count() == 2


def test_an_empty_list_matches_nothing(alice):
    assert not User.objects.filter(AnyOf("pk", [])).exists()
    assert User.objects.exclude(AnyOf("pk", [])).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array parameter")
def test_sends_one_array_parameter_on_postgresql(alice, bob):
    ids = [alice.pk, *range(10**8, 10**8 + 5000)]  # 5,000 ids that exist nowhere
    with CaptureQueriesContext(connection) as queries:
        found = list(User.objects.filter(AnyOf("pk", ids)).values_list("pk", flat=True))
    assert found == [alice.pk]
    sql = queries.captured_queries[0]["sql"]
    assert "= ANY(" in sql and " IN (" not in sql
