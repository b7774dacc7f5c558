"""The member portal under load (make bench, figure 4). Run by smartcoop/bench/load.py:
BENCH_MEMBERS_FILE lists members (email, a unit, an invoice); BENCH_PASSWORD is their password.
"""

import itertools
import json
import os
import re
from pathlib import Path

from locust import HttpUser, between, task

MEMBERS = json.loads(Path(os.environ.get("BENCH_MEMBERS_FILE", "/dev/null")).read_text() or "[]")
_next_member = itertools.count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Member(HttpUser):
    wait_time = between(2, 5)

    def on_start(self):
        self.member = MEMBERS[next(_next_member) % len(MEMBERS)]
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            {"login": self.member["email"], "password": os.environ["BENCH_PASSWORD"],
             "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/accounts/login/"},
            name="login",
            catch_response=True,
        ) as answer:  # fmt: skip
            if "/accounts/login/" in answer.url:
                answer.failure("login refused")

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
