"""The year's ordinary general assembly, convened, voted and counted with the governance services
(governance/services/, governance/tally.py), so that the bench and the board's dashboards
have one with published results.

- 18 June of the year, record date 1 May, notice 16 May, the online vote open from 4 June
  9:00 (the statutes let it open 14 days early) to the meeting day 12:00;
- agenda: the activity report (information), the accounts (ordinary resolution), the
  discharge of the board members, the election of 3 board members among 5 candidates;
- the roll frozen by `assembly_convene` from the share register at the record date;
- 1,611 online ballots at scale 1 (seed 003: "1,611 members voted online" at the AG of 2025),
  of which PROXIES cast by proxy holders for the member who gave them a validated proxy, each
  through `ballot_cast` in casting order (sealed to the tellers' key, chained);
- PRESENT members recorded in the room by an advisor, and their paper totals per item;
- closed and counted by `assembly_tally` with the tellers' key file, which is then dropped.

Who votes, how and when is drawn from the stage's seeded generator: the same seed gives the
same roll, participations, counts and results. The sealing itself takes fresh random keys
(the tellers' key pair, each ballot's ephemeral key): the sealed bytes, receipts and chain
differ from one run to the next, the counts don't.

The dataset sends nothing: the after-commit work the services register (convocation and
receipt e-mails, the minutes PDF) is dropped (`no_side_effects`).
"""

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from core import roles
from governance.models import GeneralAssembly, VoterRollEntry
from governance.services.assemblies import agenda_item_add, assembly_create, candidate_add
from governance.services.meeting import attendance_record, paper_totals_enter
from governance.services.proxies import proxy_answer, proxy_decide, proxy_give
from governance.services.roll import assembly_convene
from governance.services.voting import ballot_cast
from governance.tally import assembly_tally
from members.models import Member, User
from members.selectors import voter_roll

from .sampling import scaled

# Seed 003: 1,611 members voted online at the AG of 2025 (scaled with --scale).
ONLINE_BALLOTS = 1_611
# Neither seed gives these: a few dozen proxies and a room of a hundred or so.
PROXIES = 40
PRESENT = 120
SEATS, CANDIDATES = 3, 5

# How members vote (for, against, abstain, blank), per kind of item.
ACCOUNTS = (0.86, 0.04, 0.08, 0.02)
DISCHARGE = (0.80, 0.07, 0.11, 0.02)
ITEM_VALUES = ("for", "against", "abstain", "blank")
# Each candidate's pull, and how many candidates a ballot supports (0 to the seats).
CANDIDATE_PULL = (0.30, 0.25, 0.22, 0.14, 0.09)
SUPPORTED = (0.06, 0.14, 0.30, 0.50)


@contextmanager
def no_side_effects():
    """Drop the after-commit callbacks registered inside (e-mails, tasks): the dataset writes
    rows, it sends nothing. Must run inside a transaction (generate's)."""
    start = len(connection.run_on_commit)
    try:
        yield
    finally:
        del connection.run_on_commit[start:]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class AssemblyGenerator:
    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng("assembly")
        year = ctx.year
        self.meeting = date(year, 6, 18)
        self.record_date = date(year, 5, 1)
        self.notice_date = date(year, 5, 16)
        self.opens = _at(date(year, 6, 4), 9)
        self.closes = _at(self.meeting, 12)
        self.assembly = None
        self.counts: dict[str, int] = {}

    # --- people ------------------------------------------------------------------------------

    def _board_user(self, roll: list[int]):
        """A member of the board to prepare and count the assembly: a drawn member with an
        account, made staff in the board group (the dataset has no mandates yet)."""
        candidates = list(
            Member.objects.filter(pk__in=roll, user__isnull=False, is_organisation=False)
            .exclude(user__is_staff=True)
            .order_by("number")
            .values_list("user_id", flat=True)[:500]
        )
        user = User.objects.get(pk=self.rng.choice(candidates))
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get_or_create(name=roles.BOARD)[0])
        return user

    def _advisor(self):
        return User.objects.get(pk=min(self.ctx.advisor_user_ids))

    # --- ballots -----------------------------------------------------------------------------

    def _pick(self, weights) -> str:
        return self.rng.choices(ITEM_VALUES, weights=weights)[0]

    def _ballot(self, accounts, discharge, election, candidates) -> dict:
        supported = self.rng.choices(range(SEATS + 1), weights=SUPPORTED)[0]
        pool = list(zip(candidates, CANDIDATE_PULL, strict=True))
        chosen = set()
        for _ in range(supported):
            pick = self.rng.choices(range(len(pool)), weights=[w for _, w in pool])[0]
            chosen.add(pool.pop(pick)[0].pk)
        return {
            "items": {
                str(accounts.pk): self._pick(ACCOUNTS),
                str(discharge.pk): self._pick(DISCHARGE),
            },
            "candidates": {
                str(election.pk): {
                    str(c.pk): "for"
                    if c.pk in chosen
                    else ("against" if self.rng.random() < 0.25 else "abstain")
                    for c in candidates
                }
            },
        }

    def _moment(self) -> datetime:
        """When a ballot is cast: most in the first days and the last ones, in the day time."""
        days = (self.meeting - self.opens.date()).days  # 14 days before the meeting day
        day = self.opens.date() + timedelta(
            days=min(days - 1, int(self.rng.triangular(0, days, days * 0.8)))
        )
        return _at(day, self.rng.randint(9, 22), self.rng.randint(0, 59))

    # --- the stage ---------------------------------------------------------------------------

    def write(self) -> None:
        ctx, rng = self.ctx, self.rng
        year = ctx.year
        with no_side_effects():
            # Who may stand and who runs it are drawn from the members in good standing.
            eligible = list(voter_roll(at=self.record_date).values_list("pk", flat=True))
            board = self._board_user(eligible)
            assembly = assembly_create(
                kind=GeneralAssembly.Kind.ORDINARY,
                title=f"Assemblée générale ordinaire {year}",
                date=self.meeting,
                place="Bruxelles, Gare Maritime",
                notice_date=self.notice_date,
                record_date=self.record_date,
                voting_opens_at=self.opens,
                voting_closes_at=self.closes,
                by=board,
            )
            add = agenda_item_add
            add(
                assembly=assembly,
                title=f"Rapport d'activité {year - 1}",
                kind="information",
                by=board,
            )
            accounts = add(
                assembly=assembly,
                title=f"Approbation des comptes annuels {year - 1}",
                text=f"L'assemblée approuve les comptes annuels arrêtés au 31 décembre {year - 1}.",
                kind="ordinary",
                by=board,
            )
            discharge = add(
                assembly=assembly,
                title="Décharge aux administrateur·rices",
                kind="discharge",
                by=board,
            )
            election = add(
                assembly=assembly,
                title=f"Élection de {SEATS} administrateur·rices",
                kind="election",
                seats=SEATS,
                by=board,
            )
            people = list(
                Member.objects.filter(pk__in=eligible, is_organisation=False, category="A")
                .order_by("number")
                .values_list("pk", flat=True)
            )
            candidates = [
                candidate_add(
                    item=election,
                    member=member,
                    by=board,
                    statement="Candidature pour un mandat de quatre ans.",
                )
                for member in Member.objects.filter(pk__in=rng.sample(people, CANDIDATES)).order_by(
                    "number"
                )
            ]
            convened = assembly_convene(assembly=assembly, by=board, now=_at(self.notice_date, 9))
            assembly = convened.assembly
            roll = list(
                VoterRollEntry.objects.filter(assembly=assembly)
                .order_by("number")
                .values_list("member_id", flat=True)
            )
            # Disjoint groups of the roll: online voters (some of them holding a proxy),
            # givers of proxies, members in the room.
            online = scaled(ONLINE_BALLOTS, ctx.scale)
            proxies = min(scaled(PROXIES, ctx.scale), online // 2)
            present = scaled(PRESENT, ctx.scale)
            drawn = rng.sample(roll, online + present)
            voters = drawn[: online - proxies]
            givers = drawn[online - proxies : online]
            room = drawn[online:]
            holders = rng.sample(voters, proxies)
            members = Member.objects.in_bulk(drawn)

            advisor = self._advisor()
            given_on = _at(date(year, 5, 26), 10)
            for giver, holder in zip(givers, holders, strict=True):
                proxy = proxy_give(
                    assembly=assembly, giver=members[giver], holder=members[holder], now=given_on
                )
                proxy_answer(proxy=proxy, holder=members[holder], accept=True, now=given_on)
                proxy_decide(proxy=proxy, by=advisor, validate=True, now=given_on)

            ballots = [(self._moment(), voter, None) for voter in voters]
            ballots += [
                (self._moment(), holder, giver)
                for giver, holder in zip(givers, holders, strict=True)
            ]
            ballots.sort(key=lambda row: (row[0], row[1], row[2] or 0))
            for moment, voter, giver in ballots:
                ballot_cast(
                    assembly=assembly,
                    voter=members[voter],
                    for_member=members[giver] if giver else None,
                    choices=self._ballot(accounts, discharge, election, candidates),
                    now=moment,
                )

            # The meeting: attendance, then the paper totals of the room.
            for member_id in room:
                attendance_record(assembly=assembly, member=members[member_id], by=advisor)
            paper = [self._ballot(accounts, discharge, election, candidates) for _ in room]
            for item in (accounts, discharge):
                totals = [sum(b["items"][str(item.pk)] == v for b in paper) for v in ITEM_VALUES]
                paper_totals_enter(
                    item=item,
                    by=advisor,
                    votes_for=totals[0],
                    votes_against=totals[1],
                    abstentions=totals[2],
                    blank=totals[3],
                )
            for candidate in candidates:
                picked = [b["candidates"][str(election.pk)][str(candidate.pk)] for b in paper]
                paper_totals_enter(
                    item=election,
                    candidate=candidate,
                    by=advisor,
                    votes_for=picked.count("for"),
                    votes_against=picked.count("against"),
                    abstentions=picked.count("abstain"),
                )

            # The count closes the vote (its time has come) and publishes the results.
            after = self.closes + timedelta(minutes=5)
            self.assembly = assembly_tally(
                assembly=assembly, key_file=convened.key_file, by=board, now=after
            )
            del convened
        self.counts = {
            "roll": assembly.roll_size,
            "online": online - proxies,
            "proxies": proxies,
            "present": present,
        }
