"""7 and 8: general assemblies at Smart's size (issue 13).

7. 100 members vote at the same time through the portal over HTTP (gunicorn, locust), on an
   assembly convened for the bench with its window open now; /health/ under the same load is
   the baseline.
8. The count of 45,000 online ballots: an assembly convened for the bench, 45,000 ballots
   sealed to its tellers' key and chained (written in bulk with the sealing functions, outside
   the measure), then `assembly_tally` timed, and `verify_ballots` after it. The baseline: the
   bare time to open the 45,000 sealed boxes with PyNaCl.

Both assemblies are convened through the services (the roll frozen from the share register at
the record date); the convocation e-mails are dropped (`no_side_effects`). They stay in the
bench database, counted and published.
"""

import os
import random
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from nacl.public import SealedBox

from core.bulk import insert_rows
from devtools.dataset.assembly import no_side_effects
from devtools.dataset.generate import _backend_pid, _cpu_seconds
from governance import sealing
from governance.models import (
    ClearBallot,
    EncryptedBallot,
    ItemResult,
    Participation,
    VoterRollEntry,
)
from governance.services.assemblies import agenda_item_add, assembly_create, candidate_add
from governance.services.roll import assembly_convene
from governance.tally import assembly_tally, verify_ballots
from members.models import Member
from members.selectors import voter_roll

from . import load
from .cases import superuser
from .results import Figure

SEATS, CANDIDATES = 3, 5
VALUES = ("for", "against", "abstain", "blank")


def bench_assembly(*, title: str, opens, closes, by):
    """An ordinary assembly for the bench (accounts, discharge, election of 3 among 5),
    convened now with the roll frozen at yesterday's date. Returns (assembly, key file,
    seconds the convening took)."""
    today = timezone.localdate()
    assembly = assembly_create(
        kind="ordinary",
        title=title,
        date=closes.date() if closes.date() >= today else today,
        notice_date=today,
        record_date=today - timedelta(days=1),
        voting_opens_at=opens,
        voting_closes_at=closes,
        by=by,
    )
    add = agenda_item_add
    add(assembly=assembly, title="Rapport d'activité", kind="information", by=by)
    add(assembly=assembly, title="Approbation des comptes", kind="ordinary", by=by)
    add(assembly=assembly, title="Décharge", kind="discharge", by=by)
    election = add(assembly=assembly, title="Élection", kind="election", seats=SEATS, by=by)
    roll = voter_roll(at=today - timedelta(days=1)).filter(is_organisation=False)
    for member in Member.objects.filter(pk__in=roll.values("pk")[:CANDIDATES]):
        candidate_add(item=election, member=member, by=by)
    start = time.perf_counter()
    with transaction.atomic(), no_side_effects():
        convened = assembly_convene(assembly=assembly, by=by)
    return convened.assembly, convened.key_file, time.perf_counter() - start


def ballot_shape(assembly) -> list[tuple[int, str, int, list[int]]]:
    """The voted items: (id, kind, seats, candidate ids)."""
    return [
        (item.pk, item.kind, item.seats, [c.pk for c in item.candidates.all()])
        for item in assembly.items.prefetch_related("candidates")
        if item.kind != "information"
    ]


def random_ballot(rng: random.Random, shape) -> dict:
    """A well-formed ballot for these items, drawn from `rng`."""
    ballot: dict = {"items": {}, "candidates": {}}
    for item_id, kind, seats, candidates in shape:
        if kind == "election":
            chosen = set(rng.sample(candidates, rng.randint(0, seats)))
            ballot["candidates"][str(item_id)] = {
                str(c): "for" if c in chosen else rng.choice(("against", "abstain"))
                for c in candidates
            }
        else:
            ballot["items"][str(item_id)] = rng.choices(VALUES, weights=(80, 6, 11, 3))[0]
    return ballot


# --- 8: the count of 45,000 ballots -------------------------------------------------------------


def _write_sealed_ballots(assembly, count: int, rng: random.Random) -> list[bytes]:
    """`count` ballots sealed to the assembly's key and chained as `ballot_cast` does, with
    their participations (members of the roll), written with COPY. Returns the sealed bytes."""
    public, shape = assembly.public_key, ballot_shape(assembly)
    rows, sealed_all, link = [], [], ""
    for position in range(1, count + 1):
        sealed = sealing.seal(random_ballot(rng, shape), public_hex=public)
        receipt = sealing.receipt_of(sealed)
        link = sealing.next_link(link, receipt)
        rows.append((assembly.pk, position, sealed, receipt, link))
        sealed_all.append(sealed)
    members = list(
        VoterRollEntry.objects.filter(assembly=assembly)
        .order_by("number")
        .values_list("member_id", flat=True)[:count]
    )
    day = timezone.localdate()
    with transaction.atomic():
        insert_rows(EncryptedBallot, ["assembly", "position", "sealed", "receipt", "chain"], rows)
        insert_rows(
            Participation,
            ["assembly", "member", "channel", "day", "proxy_holder"],
            [(assembly.pk, member, "online", day, None) for member in members],
        )
        type(assembly).objects.filter(pk=assembly.pk).update(ballot_count=count, chain_head=link)
    assembly.refresh_from_db()
    return sealed_all


def _bare_unseal(sealed: list[bytes], key_file: str, public_hex: str) -> float:
    box = SealedBox(sealing.read_key_file(key_file, public_hex=public_hex))
    start = time.perf_counter()
    for one in sealed:
        box.decrypt(one)
    return time.perf_counter() - start


def _load() -> str:
    return "load average {:.1f} / {:.1f} / {:.1f} (1, 5, 15 min) on {} cores".format(
        *os.getloadavg(), os.cpu_count()
    )


def tally_45000(count: int = 45_000) -> Figure:
    by = superuser()
    now = timezone.now()
    closes = now + timedelta(hours=1)
    assembly, key_file, convene_seconds = bench_assembly(
        title=f"Bench: dépouillement de {count:,} bulletins ({now:%Y-%m-%d %H:%M})",
        opens=now - timedelta(days=1),
        closes=closes,
        by=by,
    )
    prepared = time.perf_counter()
    sealed = _write_sealed_ballots(assembly, count, random.Random(8))  # noqa: S311
    prepare_seconds = time.perf_counter() - prepared
    bare = _bare_unseal(sealed, key_file, assembly.public_key)
    del sealed
    after = closes + timedelta(minutes=5)
    backend = _backend_pid()
    load_before, backend_cpu, cpu = _load(), _cpu_seconds(backend), time.process_time()
    start = time.perf_counter()
    with transaction.atomic(), no_side_effects():  # the minutes PDF follows: not measured
        assembly = assembly_tally(assembly=assembly, key_file=key_file, by=by, now=after)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    if backend_cpu is not None:
        backend_cpu = _cpu_seconds(backend) - backend_cpu
    verify_start = time.perf_counter()
    problems = verify_ballots(assembly)
    verify_seconds = time.perf_counter() - verify_start
    counted = ClearBallot.objects.filter(assembly=assembly).count()
    results = ItemResult.objects.filter(item__assembly=assembly).count()
    met = elapsed < 5 and counted == count and not problems
    return Figure(
        8, f"count of {count:,} online ballots (assembly_tally)", elapsed, "s", "< 5 s", met,
        baseline=f"bare unsealing with PyNaCl {bare:,.2f} s", ratio=f"{elapsed / bare:.1f}×",
        notes=[
            f"assembly {assembly.pk}, roll of {assembly.roll_size:,} members frozen by "
            f"assembly_convene in {convene_seconds:.1f} s; {count:,} ballots sealed to its key "
            f"and chained, with their participations, written with COPY before the measure "
            f"({prepare_seconds:.1f} s).",
            "measured: assembly_tally with the tellers' key file, committed: the chain checked, "
            f"the sealed ballots opened, {counted:,} clear ballots written in a random order "
            f"with random ids, {results} results computed and frozen, the sealed contents "
            "erased, the audit; the minutes PDF (rendered afterwards by the worker) is not in "
            "the figure.",
            f"CPU time of the count: this process {cpu:.2f} s"
            + (f", its database backend {backend_cpu:.2f} s" if backend_cpu is not None else "")
            + f"; {load_before} when it started (the machine is shared: wall time = CPU time "
            "only when nothing else runs).",
            f"verify_ballots afterwards: {verify_seconds:.2f} s, "
            + ("no problem." if not problems else f"{len(problems)} problems: {problems[0]}"),
        ],
    )  # fmt: skip


# --- 7: 100 voters at the same time over HTTP ---------------------------------------------------


def _voters(assembly, count: int) -> list[dict]:
    """Members on the roll with an account (not staff) who have not voted: their e-mail."""
    voted = Participation.objects.filter(assembly=assembly).values("member_id")
    on_roll = VoterRollEntry.objects.filter(assembly=assembly).values("member_id")
    emails = (
        Member.objects.filter(pk__in=on_roll, user__isnull=False, user__is_staff=False)
        .exclude(pk__in=voted)
        .order_by("number")
        .values_list("user__email", flat=True)[:count]
    )
    return [{"email": email} for email in emails]


def _form_fields(assembly) -> dict:
    """The ballot form's field names and their choices, for the locust voters."""
    fields = {}
    for item in assembly.items.prefetch_related("candidates"):
        if item.kind == "information":
            continue
        if item.kind == "election":
            for candidate in item.candidates.all():
                fields[f"cand_{item.pk}_{candidate.pk}"] = ["for", "against", "abstain"]
        else:
            fields[f"item_{item.pk}"] = list(VALUES)
    return fields


def voters_load(users: int = 100, seconds: int = 300) -> Figure:
    by = superuser()
    now = timezone.now()
    assembly, key_file, convene_seconds = bench_assembly(
        title=f"Bench: {users} votes en ligne ({now:%Y-%m-%d %H:%M})",
        opens=now - timedelta(hours=1),
        closes=now + timedelta(hours=2),
        by=by,
    )
    voters = _voters(assembly, users)
    if len(voters) < users:
        raise RuntimeError(f"only {len(voters)} members with an account on the roll")
    setup = {
        "assembly": assembly.pk,
        "fields": _form_fields(assembly),
        "voters": voters,
    }
    load_before = _load()
    # As behind the production reverse proxy: each voter's address in X-Forwarded-For.
    with load.server(extra_env={"EMAIL_URL": "memory://", "NUM_PROXIES": "1"}) as server:
        started = time.perf_counter()
        votes = server.locust(
            users, seconds, "Voter", "votes", members=setup, spawn_rate=users // 10
        )
        voting_seconds = time.perf_counter() - started
        by_name = server.by_name("votes")
        trivial = server.locust(users, min(seconds, 30), "Trivial", "trivial")
    cast = Participation.objects.filter(assembly=assembly, channel="online").count()
    # Then the tellers count them: the 100 ballots cast over HTTP are all there and intact.
    with transaction.atomic(), no_side_effects():
        assembly = assembly_tally(
            assembly=assembly, key_file=key_file, by=by,
            now=assembly.voting_closes_at + timedelta(minutes=5),
        )  # fmt: skip
    problems = verify_ballots(assembly)
    ballot = votes["by_name"].get("cast ballot", {})
    p95 = ballot.get("p95")
    failures = votes["failures"]
    met = p95 is not None and p95 < 500 and failures == 0 and cast == users
    return Figure(
        7, f"{users} members voting online at the same time (gunicorn 2 workers)",
        p95, "ms p95 (ballot POST)", "p95 < 500 ms, 0 errors", met,
        baseline=f"/health/ p95 {trivial['p95']:,.0f} ms, {trivial['rps']:,.0f} req/s",
        ratio=f"{p95 / max(trivial['p95'], 1):.0f}× /health/'s p95" if p95 else "",
        notes=[
            f"assembly {assembly.pk}, roll of {assembly.roll_size:,} members frozen by "
            f"assembly_convene in {convene_seconds:.1f} s, its online vote open; each "
            f"simulated voter is a different member on the roll (a dataset account).",
            f"all requests: {votes['requests']:,}, {failures} failures, p50 {votes['p50']:.0f} "
            f"ms, p95 {votes['p95']:.0f} ms, p99 {votes['p99']:.0f} ms, {votes['rps']:.1f} req/s",
            *[f"{name}: {figures}" for name, figures in sorted(by_name.items())],
            f"the {users} voters were done {voting_seconds:.0f} s after the first arrived "
            f"(locust's start included). Ballots recorded: {cast} online participations; "
            "then counted by assembly_tally and checked by verify_ballots: "
            + ("no problem." if not problems else f"{problems[0]}"),
            f"/health/ under the same load ({users} users, 2 to 5 s apart, 30 s): "
            f"{trivial['requests']:,} requests, p95 {trivial['p95']:.0f} ms, "
            f"{trivial['rps']:.1f} req/s.",
            "each voter comes from their own address (X-Forwarded-For, gunicorn run with "
            "NUM_PROXIES=1 as behind the production proxy), so the login rate limit "
            "(allauth, per address) applies per voter. "
            f"Each voter arrives within {users // (users // 10)} s or so ({users // 10} a "
            "second), logs in (Argon2id), opens the assembly's ballot page, thinks 2 to 5 s, "
            "posts a complete ballot (accounts, discharge, 5 candidates) and reads the receipt "
            "(sealing, chain, participation, the receipt e-mail rendered to memory), once. "
            "locust runs on the same 2-core machine as gunicorn and PostgreSQL.",
            f"{load_before} when the load started, {_load()} at the end (the machine is "
            "shared with other jobs).",
        ],
    )  # fmt: skip
