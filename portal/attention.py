"""What waits for the member on their home page: every pending action, with a link (issue 16).

One reading per kind of action, each from its app's own tables: contracts to accept before
the work starts, jobs, declarations and expense claims refused lately (with the reason on
their page), an advisor's questions not read yet, invoices overdue, a vote open at a general
assembly the member may vote at, proxies to answer. The units' negative balances and clients
to verify stay on the home page as before (they need the unit list).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, QuerySet, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.dates import format_day
from governance.models import GeneralAssembly, Participation, Proxy, VoterRollEntry
from governance.selectors import voting_open_somewhere
from invoicing.models import Invoice
from invoicing.selectors import overdue_invoices
from members.models import Member, User
from payroll.models import Contract, ExpenseClaim, Job, WorkDeclaration

# A refusal stays on the home page this long after the decision.
REFUSALS_SHOWN_FOR = timedelta(days=30)


@dataclass(frozen=True)
class Action:
    key: str  # what kind of action (an anchor for the page and the tests)
    level: str  # "warning" (a deadline or money at stake) or "info"
    text: str
    url: str
    count: int


def _peek(rows: QuerySet, detail: str, listing: str, *fields: str) -> tuple[int, str, dict]:
    """How many rows, the link (the only row's page, or the list when there are several) and
    the first row's `fields`, in one query (the count is a window over all the rows)."""
    first_two = list(rows.values("pk", *fields).annotate(_rows=Window(Count("pk")))[:2])
    if not first_two:
        return 0, "", {}
    count = first_two[0].pop("_rows")
    if count == 1:
        return 1, reverse(detail, args=[first_two[0]["pk"]]), first_two[0]
    return count, reverse(listing), first_two[0]


def _contracts(user: User, today: date) -> Action | None:
    offered = Contract.objects.filter(
        worker__user=user, status=Contract.Status.OFFERED, start_date__gte=today
    ).order_by("start_date", "pk")
    count, url, first = _peek(
        offered, "portal:work_contract_detail", "portal:work_contract_list", "start_date"
    )
    if not count:
        return None
    text = ngettext(
        "%(count)s contract waits for your acceptance: accept it before the work starts on "
        "%(day)s.",
        "%(count)s contracts wait for your acceptance: the first work starts on %(day)s.",
        count,
    ) % {"count": count, "day": format_day(first["start_date"])}
    return Action("contracts", "warning", text, url, count)


def _refused(user: User, since: datetime) -> list[Action]:
    """Jobs, declarations and expense claims the advisor refused since `since`: one action
    per kind, linking to the refusal (its reason is on the row's page)."""
    kinds = (
        (
            "jobs_refused",
            Job.objects.filter(unit__holder__user=user, status=Job.Status.REJECTED),
            ("portal:work_job_detail", "portal:work_job_list"),
            lambda n: ngettext(
                "%(count)s job was refused by your advisor: see why.",
                "%(count)s jobs were refused by your advisor: see why.",
                n,
            ),
        ),
        (
            "declarations_refused",
            WorkDeclaration.objects.filter(
                unit__holder__user=user, status=WorkDeclaration.Status.REJECTED
            ),
            ("portal:work_declaration_detail", "portal:work_declaration_list"),
            lambda n: ngettext(
                "%(count)s work declaration was refused by your advisor: see why.",
                "%(count)s work declarations were refused by your advisor: see why.",
                n,
            ),
        ),
        (
            "claims_refused",
            ExpenseClaim.objects.filter(worker__user=user, status=ExpenseClaim.Status.REJECTED),
            ("portal:expense_detail", "portal:expense_list"),
            lambda n: ngettext(
                "%(count)s expense claim was refused by your advisor: see why.",
                "%(count)s expense claims were refused by your advisor: see why.",
                n,
            ),
        ),
    )
    actions = []
    for key, rows, (detail, listing), text in kinds:
        refused = rows.filter(decided_at__gte=since).order_by("-decided_at")
        count, url, _first = _peek(refused, detail, listing)
        if count:
            actions.append(Action(key, "info", text(count) % {"count": count}, url, count))
    return actions


def _questions(count: int) -> Action | None:
    """An advisor's questions (on a declaration, an expense claim) the member has not read
    yet (`count`, from members.notifications.selectors.unread): the notifications page shows
    each question and opens its page (marking it read)."""
    if not count:
        return None
    url = reverse("portal:notification_list")
    text = ngettext(
        "Your advisor asks you for information: see the question.",
        "Your advisor asks you for information %(count)s times: see the questions.",
        count,
    ) % {"count": count}
    return Action("questions", "warning", text, url, count)


def _overdue(user: User, today: date) -> Action | None:
    overdue = overdue_invoices(
        on=today, invoices=Invoice.objects.of_member_user(user).filter(kind=Invoice.Kind.INVOICE)
    ).order_by("due_date", "pk")
    count, url, _first = _peek(overdue, "portal:invoice_detail", "portal:invoice_list")
    if not count:
        return None
    text = ngettext(
        "%(count)s invoice is overdue: its client has not paid it by its due date.",
        "%(count)s invoices are overdue: their clients have not paid them by their due date.",
        count,
    ) % {"count": count}
    return Action("invoices_overdue", "warning", text, url, count)


def _votes(member: Member) -> list[Action]:
    now = timezone.now()
    return [
        *(_open_votes(member, now) if voting_open_somewhere(now=now) else []),
        *_proxies(member),
    ]


def _open_votes(member: Member, now: datetime) -> list[Action]:
    voted = Participation.objects.filter(assembly=OuterRef("pk"), member=member)
    on_roll = VoterRollEntry.objects.filter(assembly=OuterRef("pk"), member=member)
    open_votes = (
        GeneralAssembly.objects.filter(
            status=GeneralAssembly.Status.VOTING_OPEN,
            voting_opens_at__lte=now,
            voting_closes_at__gt=now,
        )
        .filter(Exists(on_roll))
        .exclude(Exists(voted))
        .order_by("voting_closes_at")
    )
    actions = [
        Action(
            "vote_open",
            "warning",
            _("The vote of “%(title)s” is open until %(day)s: you have not voted yet.")
            % {
                "title": assembly.title,
                "day": format_day(timezone.localtime(assembly.voting_closes_at)),
            },
            reverse("portal:assembly_vote", args=[assembly.pk]),
            1,
        )
        for assembly in open_votes
    ]
    return actions


def _proxies(member: Member) -> list[Action]:
    proxies = Proxy.objects.filter(holder=member, status=Proxy.Status.GIVEN).select_related("giver")
    return [
        Action(
            "proxy_to_answer",
            "info",
            _("%(name)s asks you to vote for them: accept or decline the proxy.")
            % {"name": proxy.giver.display_name},
            reverse("portal:proxy_answer", args=[proxy.pk]),
            1,
        )
        for proxy in proxies
    ]


def pending_actions(
    *, user: User, member: Member, questions: int, today: date | None = None
) -> list[Action]:
    """Everything that waits for the member, most pressing first. `questions`: the advisor's
    unread questions, counted with the unread notifications (members.notifications.selectors
    `unread`, kept on the request for the menu's badge)."""
    today = today or timezone.localdate()
    since = timezone.now() - REFUSALS_SHOWN_FOR
    actions = [
        _contracts(user, today),
        _questions(questions),
        *_votes(member),
        _overdue(user, today),
        *_refused(user, since),
    ]
    return [action for action in actions if action is not None]
