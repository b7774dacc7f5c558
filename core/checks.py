import ctypes.util
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    if not settings.SECRET_KEY_FROM_ENV:
        return [
            Error(
                "SECRET_KEY is not set in the environment: the development key is in use.",
                hint="Set SECRET_KEY to a long random value.",
                id="smartcoop.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def staff_mfa_required(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    if not settings.SMARTCOOP_STAFF_MFA_REQUIRED:
        return [
            Error(
                "SMARTCOOP_STAFF_MFA_REQUIRED is off: staff reach the back-office without MFA.",
                hint="Only the local demo may turn it off.",
                id="smartcoop.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def field_keys_from_environment(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    if not settings.FIELD_ENCRYPTION_KEYS_FROM_ENV:
        return [
            Error(
                "FIELD_ENCRYPTION_KEYS or FIELD_HASH_KEY is not set in the environment: national "
                "numbers and IBANs are encrypted with development keys.",
                hint="Set FIELD_ENCRYPTION_KEYS (Fernet keys, newest first) and FIELD_HASH_KEY.",
                id="smartcoop.E003",
            )
        ]
    return []


def harfbuzz_subset_missing() -> bool:
    """WeasyPrint subsets the PDFs' fonts with HarfBuzz's C library when it is there, else in
    Python with fontTools, three to four times slower (docs/BENCHMARKS.md)."""
    return ctypes.util.find_library("harfbuzz-subset") is None


@register()
def pdf_font_subsetting(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    if not harfbuzz_subset_missing():
        return []
    return [
        Warning(
            "libharfbuzz-subset0 is not installed: PDFs (invoices, payslips, reports) are "
            "rendered three to four times slower.",
            hint="apt-get install libharfbuzz-subset0 (or run `make test` / `make run`, which "
            "install the system packages: scripts/system-packages.sh).",
            id="smartcoop.W001",
        )
    ]
