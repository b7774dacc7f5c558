"""allauth's login rate limit keys on the member's address: behind the production reverse
proxy (NUM_PROXIES=1), the address the proxy appended to X-Forwarded-For; without a proxy
configured, X-Forwarded-For is not trusted (anyone could write it).

Settings are read once at start-up, so each case runs Django in its own subprocess."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

PROBE = """
import django
django.setup()
from allauth.account.adapter import get_adapter
from django.test import RequestFactory
request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
print(get_adapter().get_client_ip(request))
"""


def client_ip(**environ) -> str:
    env = {key: value for key, value in os.environ.items() if key != "NUM_PROXIES"}
    env.update(DJANGO_SETTINGS_MODULE="smartcoop.settings", **environ)
    result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_behind_one_proxy_the_login_limit_keys_on_the_members_address():
    assert client_ip(NUM_PROXIES="1") == "203.0.113.7"


def test_without_a_proxy_forwarded_for_is_not_trusted():
    assert client_ip() == "10.0.0.1"
