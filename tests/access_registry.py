"""URLs whose access cases live in an area's own test module.

The central tables (test_portal_access.CASES, test_api_access.ROUTES) must name every URL,
or an area module must: a module named tests/<app>/test_<area>_access.py declares the portal URL
names it covers in PORTAL_URLS and the API route names ("api:…") in API_ROUTES, and tests for
each of them that the owner reaches it, another member gets 404 (or an empty list) and an
anonymous visitor is sent to the login page (401/403 for the API).
"""

import importlib
from pathlib import Path

CENTRAL = {"test_portal_access", "test_api_access"}


def _area_modules():
    tests_dir = Path(__file__).parent
    for path in sorted(tests_dir.rglob("test_*_access.py")):
        if path.stem not in CENTRAL:
            dotted = ".".join(path.relative_to(tests_dir.parent).with_suffix("").parts)
            yield importlib.import_module(dotted)


def covered_portal_urls() -> set[str]:
    names: set[str] = set()
    for module in _area_modules():
        names |= set(getattr(module, "PORTAL_URLS", ()))
    return names


def covered_api_routes() -> set[str]:
    names: set[str] = set()
    for module in _area_modules():
        names |= set(getattr(module, "API_ROUTES", ()))
    return names
