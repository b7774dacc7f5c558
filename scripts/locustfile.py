"""The member portal under load (make bench, figures 4 and 7). Run by devtools/bench/load.py
and devtools/bench/voting.py: BENCH_MEMBERS_FILE lists members (figure 4: email, a unit, an
invoice; figure 7: the assembly, the ballot's fields and the voters' e-mails); BENCH_PASSWORD
is their password.
"""

import itertools
import json
import os
import random
import re
from pathlib import Path

import gevent
from locust import HttpUser, between, task
from locust.exception import StopUser

MEMBERS = json.loads(Path(os.environ.get("BENCH_MEMBERS_FILE", "/dev/null")).read_text() or "[]")
_next_member = itertools.count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RECEIPT = re.compile(r"\b[0-9a-f]{64}\b")


def log_in(user: HttpUser, email: str) -> None:
    page = user.client.get("/accounts/login/", name="login page")
    if page.status_code != 200:
        raise StopUser
    token = CSRF.search(page.text).group(1)
    with user.client.post(
        "/accounts/login/",
        {"login": email, "password": os.environ["BENCH_PASSWORD"], "csrfmiddlewaretoken": token},
        headers={"Referer": user.host + "/accounts/login/"},
        name="login",
        catch_response=True,
    ) as answer:
        if "/accounts/login/" in answer.url:
            answer.failure("login refused")


class Member(HttpUser):
    wait_time = between(2, 5)

    def on_start(self):
        index = next(_next_member)
        self.member = MEMBERS[index % len(MEMBERS)]
        # Each member from their own address, as the reverse proxy forwards it (NUM_PROXIES=1):
        # allauth's login rate limit is per address (at 200 members from one address, 140
        # logins were refused).
        self.client.headers["X-Forwarded-For"] = f"10.14.{index // 250}.{index % 250 + 1}"
        log_in(self, self.member["email"])

    @task(3)
    def home(self):
        self.client.get("/espace/", name="home")

    @task(2)
    def ledger(self):
        self.client.get(f"/espace/units/{self.member['unit']}/", name="unit ledger")

    @task(2)
    def invoices(self):
        self.client.get("/espace/invoices/", name="invoice list")

    @task(2)
    def invoice(self):
        self.client.get(f"/espace/invoices/{self.member['invoice']}/", name="invoice detail")


class Trivial(HttpUser):
    wait_time = between(2, 5)

    @task
    def health(self):
        self.client.get("/health/", name="health")


_voters_done = itertools.count(1)


def voter_done(user: HttpUser) -> None:
    """One voter less; after the last one, the run ends (as at its time limit)."""
    if next(_voters_done) >= len(MEMBERS["voters"]):
        gevent.spawn_later(1, user.environment.runner.quit)
    raise StopUser


class Voter(HttpUser):
    """Figure 7: a member on the roll logs in, opens the ballot, thinks, votes once, stops.
    Each simulated voter is a different member (a second ballot would be refused: 409). The
    run ends when every voter is done (the time limit is a safety net)."""

    wait_time = between(2, 5)

    def on_start(self):
        self.setup = MEMBERS
        index = next(_next_member)
        if index >= len(MEMBERS["voters"]):
            raise StopUser
        self.email = MEMBERS["voters"][index]["email"]
        self.url = f"/espace/assemblies/{MEMBERS['assembly']}/vote/"
        # Each voter from their own address, as the reverse proxy forwards it (NUM_PROXIES=1):
        # the login rate limit is per member's address, not one for everybody.
        self.client.headers["X-Forwarded-For"] = f"10.13.{index // 250}.{index % 250 + 1}"
        self.rng = random.Random(index)  # noqa: S311 (the same ballots from one run to the next)
        self.token = None
        try:
            log_in(self, self.email)
        except StopUser:
            voter_done(self)

    @task
    def vote(self):
        if self.token is None:
            page = self.client.get(self.url, name="ballot page")
            found = CSRF.search(page.text)
            if page.status_code != 200 or found is None:
                voter_done(self)
            self.token = found.group(1)
            return  # thinks (wait_time), then votes
        choices = {name: self.rng.choice(values) for name, values in MEMBERS["fields"].items()}
        # At most as many "for" as seats: the bench ballot's election fills 3 of 5.
        fors = [n for n, v in choices.items() if n.startswith("cand_") and v == "for"]
        for name in fors[3:]:
            choices[name] = "abstain"
        with self.client.post(
            self.url,
            {**choices, "csrfmiddlewaretoken": self.token},
            headers={"Referer": self.host + self.url},
            name="cast ballot",
            catch_response=True,
        ) as answer:
            if answer.status_code != 200 or not RECEIPT.search(answer.text):
                answer.failure(f"HTTP {answer.status_code}: no receipt")
        voter_done(self)
