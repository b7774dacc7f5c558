"""The count: the tellers' key opens the sealed ballots once, the clear ballots are written in a
random order with random ids, the results computed and frozen, the sealed contents erased.
And the check anyone can run afterwards: `verify_ballots`.

Results, per item (rules frozen on the item when the assembly was convened):
- votes cast are for + against; abstentions and blank ballots are not votes cast;
- quorum: members who took part (online, by proxy, in the room) ÷ members on the roll, at
  least the rule's quorum;
- majority: for ÷ votes cast more than the rule's majority (ordinary resolutions, discharge,
  ratification: "strict"), or at least it (statute amendments: three quarters);
- a tie (for = against, none cast included) is reported as such and does not adopt;
- board election: each candidate gets for, against or abstention on every ballot; the
  candidates with a majority of votes cast are elected in order of their "for" votes up to the
  seats to fill; two candidates with the same votes across the last seat are both reported as
  a tie for that seat, and the seat stays vacant (the board may co-opt).
"""

import secrets
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.roles import require_board

from . import sealing
from .board_services import mandates_start_for_elected, ratification_decided
from .models import (
    AgendaItem,
    ClearBallot,
    EncryptedBallot,
    GeneralAssembly,
    ItemResult,
    PaperTally,
    Participation,
)
from .models.voting import Choice
from .services.voting import assembly_sync_status
from .signals import assembly_counted

Status = GeneralAssembly.Status
Kind = AgendaItem.Kind
Outcome = ItemResult.Outcome
KEYS = (Choice.FOR, Choice.AGAINST, Choice.ABSTAIN, Choice.BLANK)


# --- the chain ----------------------------------------------------------------------------------


def chain_problems(assembly: GeneralAssembly, sealed_out: list | None = None) -> list[str]:
    """Every break in the chain of sealed ballots, first one first ([] when intact).
    `sealed_out`, when given, receives each sealed ballot in chain order (the count opens
    them without reading them a second time)."""
    problems = []
    link = ""
    count = 0
    rows = (
        EncryptedBallot.objects.filter(assembly=assembly)
        .order_by("position")
        .values_list("position", "sealed", "receipt", "chain")
        .iterator(chunk_size=2000)
    )
    for position, sealed, receipt, chain in rows:
        count += 1
        if position != count:
            problems.append(_("ballot %(n)s is missing from the chain") % {"n": count})
            break
        sealed = bytes(sealed or b"")
        if sealed_out is not None:
            sealed_out.append(sealed)
        if sealed and sealing.receipt_of(sealed) != receipt:
            problems.append(
                _(
                    "ballot %(n)s (receipt %(r)s) was changed: its content no longer matches its "
                    "receipt"
                )
                % {"n": position, "r": receipt}
            )
        link = sealing.next_link(link, receipt)
        if link != chain:
            problems.append(
                _("ballot %(n)s (receipt %(r)s): the chain is broken at this link")
                % {"n": position, "r": receipt}
            )
            break
    if not problems:
        if count != assembly.ballot_count:
            problems.append(
                _("%(found)s ballots in the chain, %(expected)s cast")
                % {"found": count, "expected": assembly.ballot_count}
            )
        elif link != assembly.chain_head:
            problems.append(_("the last link of the chain is not the one recorded at casting"))
    return problems


# --- counting -----------------------------------------------------------------------------------


@dataclass
class Counts:
    online: dict = field(default_factory=lambda: dict.fromkeys(KEYS, 0))
    paper: dict = field(default_factory=lambda: dict.fromkeys(KEYS, 0))

    def total(self, key: str) -> int:
        return self.online[key] + self.paper[key]


def count_ballots(assembly: GeneralAssembly, ballots) -> dict:
    """{(item id, candidate id or None): Counts} from clear ballots and the paper totals."""
    counts: dict = {}
    items = list(assembly.items.prefetch_related("candidates"))
    for item in items:
        if item.kind == Kind.ELECTION:
            for candidate in item.candidates.all():
                counts[(item.pk, candidate.pk)] = Counts()
        elif item.kind != Kind.INFORMATION:
            counts[(item.pk, None)] = Counts()
    for choices in ballots:
        for item_id, value in choices.get("items", {}).items():
            counts[(int(item_id), None)].online[value] += 1
        for item_id, per_candidate in choices.get("candidates", {}).items():
            for candidate_id, value in per_candidate.items():
                counts[(int(item_id), int(candidate_id))].online[value] += 1
    for paper in PaperTally.objects.filter(item__assembly=assembly):
        target = counts[(paper.item_id, paper.candidate_id)].paper
        target[Choice.FOR] += paper.votes_for
        target[Choice.AGAINST] += paper.votes_against
        target[Choice.ABSTAIN] += paper.abstentions
        target[Choice.BLANK] += paper.blank
    return counts


def _majority(rule: dict, votes_for: int, votes_against: int) -> bool:
    cast = votes_for + votes_against
    if cast == 0:
        return False
    share = Decimal(votes_for) / Decimal(cast)
    needed = Decimal(rule["majority"])
    return share > needed if rule.get("strict", True) else share >= needed


def _quorum(rule: dict, participated: int, eligible: int) -> bool:
    needed = Decimal(rule.get("quorum", "0"))
    if needed <= 0:
        return True
    return eligible > 0 and Decimal(participated) >= needed * Decimal(eligible)


def compute_results(assembly: GeneralAssembly, ballots) -> list[ItemResult]:
    """The results of every item, unsaved, from clear ballots and paper totals."""
    counts = count_ballots(assembly, ballots)
    eligible = assembly.roll_size
    participated = Participation.objects.filter(assembly=assembly).count()
    results = []
    for item in assembly.items.prefetch_related("candidates").order_by("position"):
        base = {"item": item, "eligible": eligible, "participated": participated}
        if item.kind == Kind.INFORMATION:
            results.append(
                ItemResult(
                    **base,
                    votes_for=0,
                    votes_against=0,
                    abstentions=0,
                    blank=0,
                    quorum_met=True,
                    majority_reached=False,
                    outcome=Outcome.NOTED,
                )
            )
            continue
        quorum = _quorum(item.rule, participated, eligible)
        if item.kind == Kind.ELECTION:
            results.extend(_election(item, counts, base, quorum))
            continue
        c = counts[(item.pk, None)]
        result = _result(base, c, item.rule, quorum)
        if not quorum:
            result.outcome = Outcome.NO_QUORUM
        elif result.votes_for == result.votes_against:
            result.outcome = Outcome.TIE
        else:
            result.outcome = Outcome.ADOPTED if result.majority_reached else Outcome.REJECTED
        results.append(result)
    return results


def _result(base: dict, c: Counts, rule: dict, quorum: bool, candidate=None) -> ItemResult:
    votes_for, votes_against = c.total(Choice.FOR), c.total(Choice.AGAINST)
    return ItemResult(
        **base,
        candidate=candidate,
        online=c.online,
        paper=c.paper,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=c.total(Choice.ABSTAIN),
        blank=c.total(Choice.BLANK),
        quorum_met=quorum,
        majority_reached=quorum and _majority(rule, votes_for, votes_against),
    )


def _election(item: AgendaItem, counts: dict, base: dict, quorum: bool) -> list[ItemResult]:
    rows = [
        _result(base, counts[(item.pk, candidate.pk)], item.rule, quorum, candidate)
        for candidate in item.candidates.all()
    ]
    for row in rows:
        row.outcome = Outcome.NO_QUORUM if not quorum else Outcome.NOT_ELECTED
    winners = sorted((r for r in rows if r.majority_reached), key=lambda r: -r.votes_for)
    seats = item.seats
    if len(winners) > seats:
        boundary = winners[seats - 1].votes_for
        if winners[seats].votes_for == boundary:
            for row in winners:
                if row.votes_for == boundary:
                    row.outcome = Outcome.TIE_FOR_SEAT
            winners = [r for r in winners if r.votes_for > boundary]
        else:
            winners = winners[:seats]
    for row in winners:
        row.outcome = Outcome.ELECTED
    return rows


# --- the count ----------------------------------------------------------------------------------


def assembly_tally(*, assembly: GeneralAssembly, key_file, by, now=None) -> GeneralAssembly:
    """Count a closed assembly with the tellers' key file and publish the results.

    Refused when the vote is not closed, already counted, the key is not the assembly's, or the
    chain of sealed ballots is broken (named). In one transaction: the ballots opened, written
    clear in a random order with random ids, results computed and frozen, sealed contents
    erased (their receipts stay), results published, mandates of the elected started and
    ratifications decided. The key lives only in this call. The minutes PDF follows."""
    require_board(by)
    now = now or timezone.now()
    assembly_sync_status(assembly=assembly, now=now)
    with transaction.atomic():
        assembly = GeneralAssembly.objects.select_for_update().get(pk=assembly.pk)
        if assembly.status != Status.CLOSED:
            raise ValidationError(_("Only a closed vote can be counted."))
        try:
            key = sealing.read_key_file(key_file, public_hex=assembly.public_key)
        except sealing.KeyError_ as error:
            raise ValidationError(
                {"key": _("This is not the tellers' key of this assembly.")}
            ) from error
        sealed_ballots: list[bytes] = []
        problems = chain_problems(assembly, sealed_out=sealed_ballots)
        if problems:
            raise ValidationError(
                _("The ballots can't be counted: %(problem)s.") % {"problem": problems[0]}
            )
        ballots = [sealing.unseal(sealed, key=key) for sealed in sealed_ballots]
        del key, sealed_ballots
        # A random order and random ids: the clear table says nothing of the casting order.
        secrets.SystemRandom().shuffle(ballots)
        lines = [sealing.canonical(choices) for choices in ballots]
        _write_clear_ballots(assembly, ballots, lines)
        results = compute_results(assembly, ballots)
        ItemResult.objects.bulk_create(results)
        EncryptedBallot.objects.filter(assembly=assembly).update(sealed=b"")
        assembly.ballots_sha256 = sealing.lines_digest(lines)
        assembly.tallied_at = now
        assembly.published_at = now
        assembly.status = Status.PUBLISHED
        assembly.save(update_fields=["ballots_sha256", "tallied_at", "published_at", "status"])
        audit_log(
            actor=by,
            action="assembly_counted",
            obj=assembly,
            changes={
                "ballots": len(ballots),
                "ballots_sha256": assembly.ballots_sha256,
                "chain_head": assembly.chain_head,
            },
        )
        _decide_mandates(assembly, results, by)
        assembly_counted.send(sender=GeneralAssembly, assembly=assembly)
    return assembly


def _write_clear_ballots(assembly: GeneralAssembly, ballots: list, lines: list[str]) -> None:
    """The clear ballots in the order given, each with a fresh random id (uuid4, the model's
    default). On PostgreSQL with one COPY of their canonical JSON (45,000 ballots: ORM
    instances and quoted parameter arrays cost more than the unsealing); bulk_create
    elsewhere."""
    if connection.vendor != "postgresql":
        ClearBallot.objects.bulk_create(
            [ClearBallot(assembly=assembly, choices=choices) for choices in ballots],
            batch_size=5000,
        )
        return
    meta = ClearBallot._meta
    quote = connection.ops.quote_name
    fields = [meta.pk, ClearBallot.assembly.field, ClearBallot.choices.field]
    columns = ", ".join(quote(str(field.column)) for field in fields)
    statement = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for line in lines:
            copy.write_row((uuid.uuid4(), assembly.pk, line))


def _decide_mandates(assembly: GeneralAssembly, results: list[ItemResult], by) -> None:
    by_item: dict = {}
    for result in results:
        by_item.setdefault(result.item_id, []).append(result)
    for item in assembly.items.all():
        rows = by_item.get(item.pk, [])
        if item.kind == Kind.ELECTION:
            elected = [r.candidate for r in rows if r.outcome == Outcome.ELECTED]
            if elected:
                mandates_start_for_elected(item=item, elected=elected, by=by)
        elif item.kind == Kind.RATIFICATION and item.mandate_id:
            ratification_decided(item=item, adopted=rows[0].outcome == Outcome.ADOPTED, by=by)


# --- checking afterwards ------------------------------------------------------------------------


def verify_ballots(assembly: GeneralAssembly) -> list[str]:
    """Everything that doesn't add up, first one first: the chain of sealed ballots (open or
    closed), and once counted, as many clear ballots as receipts, the digest of the clear
    ballots, and the results recomputed from them against the published ones."""
    problems = chain_problems(assembly)
    if problems or not assembly.tallied_at:
        return problems
    ballots = list(ClearBallot.objects.filter(assembly=assembly).values_list("choices", flat=True))
    receipts = EncryptedBallot.objects.filter(assembly=assembly).count()
    if len(ballots) != receipts:
        problems.append(
            _("%(clear)s counted ballots for %(receipts)s receipts")
            % {"clear": len(ballots), "receipts": receipts}
        )
    if sealing.ballots_digest(ballots) != assembly.ballots_sha256:
        problems.append(
            _("the counted ballots are not the ones counted at the tally (their SHA-256 differs)")
        )
    published = {
        (r.item_id, r.candidate_id): r for r in ItemResult.objects.filter(item__assembly=assembly)
    }
    try:
        recomputed = compute_results(assembly, ballots)
    except (KeyError, ValueError, AttributeError, TypeError):
        problems.append(_("a counted ballot is not a well-formed ballot of this assembly"))
        return problems
    fields = ("votes_for", "votes_against", "abstentions", "blank", "outcome")
    for row in recomputed:
        stored = published.get((row.item_id, row.candidate_id))
        name = f"{row.item.position}. {row.item.title}"
        if row.candidate_id:
            name += f" — {row.candidate}"
        if stored is None:
            problems.append(_("no published result for item %(item)s") % {"item": name})
            continue
        for attr in fields:
            if getattr(stored, attr) != getattr(row, attr):
                problems.append(
                    _("item %(item)s: %(field)s published %(published)s, recounted %(recount)s")
                    % {
                        "item": name,
                        "field": attr,
                        "published": getattr(stored, attr),
                        "recount": getattr(row, attr),
                    }
                )
    return problems
