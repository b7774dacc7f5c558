"""The governance part of the demo (seed_demo): last year's assembly with its published results,
this year's open for voting, the board (devtools/demo_board.py) with a cooptation waiting for
ratification, and a member who joined after the record date and can't vote (the page says why).

The tellers' key of the open vote is written to a file (settings.DEMO_TELLERS_KEY_DIR, by
default var/) so that the vote can be closed and counted by hand:
    manage.py tally_assembly ID --key var/demo-tellers-key-ID.txt --by denis@smartcoop.test
Idempotent: assemblies already there are left as they are.
"""

from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from governance.models import GeneralAssembly
from governance.services.assemblies import agenda_item_add, assembly_create, candidate_add
from governance.services.roll import assembly_convene, on_roll
from governance.services.voting import ballot_cast
from governance.tally import assembly_tally
from members.models import Member
from members.services import member_create
from members.share_payment_services import share_payment_record, shares_subscribe

from .demo import _user
from .demo_board import ensure_board_demo

PAST_TITLE = "Assemblée générale ordinaire 2025"
OPEN_TITLE = "Assemblée générale ordinaire 2026"


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def key_path(assembly: GeneralAssembly) -> Path:
    folder = Path(getattr(settings, "DEMO_TELLERS_KEY_DIR", settings.BASE_DIR / "var"))
    return folder / f"demo-tellers-key-{assembly.pk}.txt"


def _past_assembly(people: dict) -> None:
    if GeneralAssembly.objects.filter(title=PAST_TITLE).exists():
        return
    denis = people["denis"]
    meeting = date(2025, 6, 18)
    assembly = assembly_create(
        kind=GeneralAssembly.Kind.ORDINARY,
        title=PAST_TITLE,
        date=meeting,
        place="Bruxelles, Gare Maritime",
        notice_date=date(2025, 5, 16),
        record_date=date(2025, 5, 1),
        voting_opens_at=_at(date(2025, 6, 4), 9),
        voting_closes_at=_at(meeting, 12),
        by=denis,
    )
    report = agenda_item_add(
        assembly=assembly, title="Rapport d'activité 2024", kind="information", by=denis
    )
    accounts = agenda_item_add(
        assembly=assembly,
        title="Approbation des comptes annuels 2024",
        kind="ordinary",
        text="L'assemblée approuve les comptes annuels arrêtés au 31 décembre 2024.",
        by=denis,
    )
    discharge = agenda_item_add(
        assembly=assembly, title="Décharge aux administrateur·rices", kind="discharge", by=denis
    )
    del report
    convened = assembly_convene(assembly=assembly, by=denis, now=_at(date(2025, 5, 16), 9))
    during = _at(date(2025, 6, 10), 14)
    for who, accounts_choice in (("alice", "for"), ("denis", "for"), ("bob", "abstain")):
        member = people[who].member
        if on_roll(assembly, member):
            ballot_cast(
                assembly=assembly,
                voter=member,
                now=during,
                choices={
                    "items": {str(accounts.pk): accounts_choice, str(discharge.pk): "for"},
                    "candidates": {},
                },
            )
    assembly_tally(
        assembly=assembly,
        key_file=convened.key_file,
        by=denis,
        now=_at(meeting, 12) + timedelta(minutes=5),
    )


def _open_assembly(people: dict) -> GeneralAssembly | None:
    existing = GeneralAssembly.objects.filter(title=OPEN_TITLE).first()
    if existing is not None:
        return existing
    denis = people["denis"]
    now = timezone.now()
    today = timezone.localdate()
    meeting = today + timedelta(days=7)
    assembly = assembly_create(
        kind=GeneralAssembly.Kind.ORDINARY,
        title=OPEN_TITLE,
        date=meeting,
        place="Bruxelles, Gare Maritime",
        notice_date=today - timedelta(days=14),
        record_date=today - timedelta(days=30),
        voting_opens_at=now - timedelta(days=1),
        voting_closes_at=_at(meeting, 12),
        by=denis,
    )
    agenda_item_add(
        assembly=assembly, title="Rapport d'activité 2025", kind="information", by=denis
    )
    agenda_item_add(
        assembly=assembly,
        title="Approbation des comptes annuels 2025",
        kind="ordinary",
        text="L'assemblée approuve les comptes annuels arrêtés au 31 décembre 2025.",
        by=denis,
    )
    agenda_item_add(
        assembly=assembly, title="Décharge aux administrateur·rices", kind="discharge", by=denis
    )
    election = agenda_item_add(
        assembly=assembly,
        title="Élection de deux administrateur·rices",
        kind="election",
        seats=2,
        by=denis,
    )
    for member in Member.objects.filter(user__email__in=["alice@smartcoop.test"]):
        candidate_add(
            item=election,
            member=member,
            by=denis,
            statement="Titulaire de deux unités, formatrice.",
        )
    other = (
        Member.objects.filter(status=Member.Status.MEMBER, user__isnull=True)
        .exclude(mandates__isnull=False)
        .order_by("number")
        .first()
    )
    if other is not None:
        candidate_add(
            item=election,
            member=other,
            by=denis,
            representative_name="Renaud Sarrazin" if other.is_organisation else "",
            statement="Candidature pour un premier mandat.",
        )
    convened = assembly_convene(assembly=assembly, by=denis)
    path = key_path(convened.assembly)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(convened.key_file)
    path.chmod(0o600)
    return convened.assembly


def _late_joiner(people: dict) -> None:
    """Eve joined yesterday, after the record date of the open vote: she can't vote."""
    user = _user("eve@smartcoop.test", "Eve", "Evrard", role="member")
    if Member.objects.filter(user=user).exists():
        return
    yesterday = timezone.localdate() - timedelta(days=1)
    eve = member_create(
        by=people["admin"],
        user=user,
        category=Member.Category.A,
        first_name="Eve",
        last_name="Evrard",
        member_since=yesterday,
    )
    entry = shares_subscribe(member=eve, shares=1, by=people["admin"], on=yesterday)
    share_payment_record(target=entry, amount=entry.amount, paid_on=yesterday, by=people["admin"])


def ensure_governance_demo(people: dict) -> None:
    # Last year's assembly first: the board's cooptation waits for this year's.
    _past_assembly(people)
    ensure_board_demo()
    _open_assembly(people)
    _late_joiner(people)
