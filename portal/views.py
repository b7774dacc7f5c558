"""The portal's home page."""

from django.shortcuts import render

from core.permissions import member_of, member_required
from invoicing.models import Client
from members.notifications.selectors import unread
from members.shares_page import share_prompt
from production_units.models import ProductionUnit
from production_units.selectors import unit_availability

from .attention import pending_actions

ATTENTION_LIST_SIZE = 5


@member_required
def home(request):
    member = member_of(request.user)
    units = list(
        ProductionUnit.objects.held_by(request.user).with_balance().select_related("sector")
    )
    for unit in units:
        # The unit page's figure, from the one rule (production_units.selectors), with the
        # balance the list has just read.
        unit.available = unit_availability(unit=unit, balance=unit.balance).available
    to_verify = Client.objects.of_member_user(request.user).to_verify().order_by("name", "id")
    context = {
        "member": member,
        "advisor": member.advisor,
        "units": units,
        "negative_units": [unit for unit in units if unit.balance < 0],
        "clients_to_verify": list(to_verify[:ATTENTION_LIST_SIZE]),
        "clients_to_verify_count": to_verify.count(),
        "share_prompt": share_prompt(member=member),
        "actions": pending_actions(
            user=request.user, member=member, questions=unread(request=request).questions
        ),
    }
    return render(request, "portal/home.html", context)
