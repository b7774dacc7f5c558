"""4: the member portal under load: gunicorn (2 workers) on loopback, locust headless with 50
members logging in and browsing, then the same load on /health/ as the baseline."""

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db.models import Count

from devtools.dataset.people import DATASET_PASSWORD
from invoicing.models import Invoice

from .results import Figure

LOCUSTFILE = Path(settings.BASE_DIR) / "scripts" / "locustfile.py"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _members(count: int) -> list[dict]:
    """Members holding a unit with issued invoices: their email, that unit, one invoice."""
    rows = (
        Invoice.objects.filter(status="issued", unit__holder__user__isnull=False)
        .values("unit_id", "unit__holder__user__email")
        .annotate(n=Count("id"))
        .order_by("-n", "unit_id")[: count * 3]
    )
    members, seen = [], set()
    for row in rows:
        email = row["unit__holder__user__email"]
        if email in seen:
            continue
        seen.add(email)
        invoice = Invoice.objects.filter(unit_id=row["unit_id"], status="issued").first()
        members.append({"email": email, "unit": row["unit_id"], "invoice": invoice.pk})
        if len(members) == count:
            break
    return members


def _by_name(prefix: str) -> dict[str, str]:
    """p50/p95 of each kind of request, for the notes."""
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return {
            row["Name"]: f"p50 {row['50%']} ms, p95 {row['95%']} ms ({row['Request Count']})"
            for row in csv.DictReader(handle)
            if row["Name"] != "Aggregated"
        }


def _rows(prefix: str) -> dict[str, dict]:
    """Each kind of request: {"p50", "p95", "requests", "failures"}."""
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return {
            row["Name"]: {
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
            }
            for row in csv.DictReader(handle)
            if row["Name"] != "Aggregated"
        }


def _summary(prefix: str) -> dict:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                return {
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50": float(row["50%"]),
                    "p95": float(row["95%"]),
                    "p99": float(row["99%"]),
                    "rps": float(row["Requests/s"]),
                }
    raise RuntimeError("locust wrote no aggregated row")


def _locust(
    env: dict,
    users: int,
    seconds: int,
    base: str,
    user_class: str,
    prefix: str,
    spawn_rate: int | None = None,
    reset_stats: bool = False,
):
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(users),
        "-r", str(spawn_rate or max(1, users // 10)), "-t", f"{seconds}s", "--host", base,
        "--csv", prefix, "--only-summary", "--exit-code-on-error", "0", user_class,
        *(["--reset-stats"] if reset_stats else []),
    ]  # fmt: skip
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=seconds + 120)  # noqa: S603
    return _summary(prefix)


class Server:
    """gunicorn on loopback and the locust runs against it (`server()`)."""

    def __init__(self, env: dict, base: str, work: Path):
        self.env, self.base, self.work = env, base, work

    def locust(self, users: int, seconds: int, user_class: str, name: str, *, members=None,
               spawn_rate: int | None = None, reset_stats: bool = False) -> dict:  # fmt: skip
        """Run `user_class` headless; `members` (JSON-able) goes to BENCH_MEMBERS_FILE. With
        `reset_stats`, only what follows the last arrival is counted."""
        env = dict(self.env)
        if members is not None:
            members_file = self.work / f"{name}.json"
            members_file.write_text(json.dumps(members))
            env["BENCH_MEMBERS_FILE"] = str(members_file)
        prefix = str(self.work / name)
        summary = _locust(
            env, users, seconds, self.base, user_class, prefix, spawn_rate, reset_stats
        )
        summary["by_name"] = _rows(prefix)
        return summary

    def by_name(self, name: str) -> dict[str, str]:
        return _by_name(str(self.work / name))


@contextmanager
def server(*, password: str = "", extra_env: dict | None = None, workers: int = 2):
    """gunicorn (`workers` sync workers) serving the project on a free loopback port with
    DEBUG=0, static files collected; stopped on the way out."""
    work = Path(tempfile.mkdtemp(prefix="smartcoop-bench-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-" + "x" * 50,
        # The keys the dataset's national numbers and IBANs were encrypted with (this process's).
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "FIELD_HASH_KEY": settings.FIELD_HASH_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "LOG_LEVEL": "WARNING",
        "BENCH_PASSWORD": password or DATASET_PASSWORD,
        **(extra_env or {}),
    }
    # DEBUG=0 serves hashed static files (whitenoise's manifest): collect them first.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env, cwd=settings.BASE_DIR, check=True,
    )  # fmt: skip
    gunicorn = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "smartcoop.wsgi:application", "--workers",
         str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env, cwd=settings.BASE_DIR, start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/health/", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer on /health/")
        yield Server(env, base, work)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)


# Figure 4's second reading: members arriving this many a second, then browsing.
STEADY_ARRIVALS = 4


def portal_load(
    users: int = 200, seconds: int = 60, password: str = "", workers: int = 2
) -> Figure:
    members = _members(users)
    # As behind the production reverse proxy: each member's address in X-Forwarded-For.
    with server(password=password, extra_env={"NUM_PROXIES": "1"}, workers=workers) as running:
        portal = running.locust(users, seconds, "Member", "portal", members=members)
        by_name = running.by_name("portal")
        # The same members once they are all in: arriving STEADY_ARRIVALS a second (their
        # logins spread out), counted from the last arrival on for `seconds`.
        steady = running.locust(
            users, users // STEADY_ARRIVALS + seconds, "Member", "steady", members=members,
            spawn_rate=STEADY_ARRIVALS, reset_stats=True,
        )  # fmt: skip
        trivial = running.locust(users, min(seconds, 30), "Trivial", "trivial")
    # Issue 19's target: the members keep the pace they would have on a trivial page.
    share = portal["rps"] / trivial["rps"]
    met = portal["p95"] < 100 and portal["failures"] == 0 and share >= 0.8
    return Figure(
        4, f"member portal under load ({users} members, {seconds} s, gunicorn {workers} workers)",
        portal["p95"], "ms p95", "p95 < 100 ms, 0 errors, ≥ 0.80× /health/'s throughput", met,
        baseline=f"/health/ {trivial['rps']:,.0f} req/s",
        ratio=f"{share:.2f}× of trivial throughput",
        notes=[
            f"portal: {portal['requests']:,} requests, {portal['failures']} failures, "
            f"p50 {portal['p50']:.0f} ms, p95 {portal['p95']:.0f} ms, p99 {portal['p99']:.0f} ms, "
            f"{portal['rps']:.1f} req/s",
            f"trivial view: {trivial['requests']:,} requests, p95 {trivial['p95']:.0f} ms, "
            f"{trivial['rps']:.1f} req/s",
            *[f"{name}: {figures}" for name, figures in sorted(by_name.items())],
            f"the same {users} members once all are logged in (arriving {STEADY_ARRIVALS} a "
            f"second, counted for {seconds} s after the last arrival): "
            f"{steady['requests']:,} requests, {steady['failures']} failures, "
            f"p50 {steady['p50']:.0f} ms, p95 {steady['p95']:.0f} ms, "
            f"p99 {steady['p99']:.0f} ms, {steady['rps']:.1f} req/s. The figure and the target "
            "are the arrival run's, above.",
            f"each simulated member arrives within {seconds // 6} s or so ({max(1, users // 10)} "
            "a second), logs in (allauth; the password checked with Argon2id at OWASP's "
            "parameters, core/hashers.py), then browses home, a unit's ledger, the "
            "invoice list and an invoice, thinking 2 to 5 s between pages; each from their own "
            "address (X-Forwarded-For, NUM_PROXIES=1 as behind the production proxy, so that "
            "the login rate limit applies per member); locust runs on the "
            "same 2-core machine as gunicorn and PostgreSQL. The aggregate p95 includes the "
            "logins.",
        ],
    )  # fmt: skip
