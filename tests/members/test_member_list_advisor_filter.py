"""The members' list filters by advisor among the staff accounts only, not among every
member's account (45,000 at Smart's size: the list took 1.3 s to load them all)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_advisor_filter_offers_staff_accounts_only(admin_client, alice, bob, claire):
    response = admin_client.get(reverse("admin:members_member_changelist"))
    (advisor,) = [
        spec for spec in response.context["cl"].filter_specs if spec.field_path == "advisor"
    ]
    offered = {pk for pk, _label in advisor.lookup_choices}
    assert claire.pk in offered  # an advisor
    assert alice.pk not in offered and bob.pk not in offered  # members' accounts


def test_filtering_by_an_advisor_still_works(admin_client, alice, claire):
    url = reverse("admin:members_member_changelist")
    listed = admin_client.get(url, {"advisor__id__exact": claire.pk}).context["cl"].result_list
    assert all(member.advisor_id == claire.pk for member in listed)
