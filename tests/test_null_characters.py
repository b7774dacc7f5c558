"""A NUL character (U+0000) is refused with a 400 naming the field, on every URL.

PostgreSQL refuses a NUL in any text value, stored or compared: without the check, a NUL in
a lookup (the category of an expense claim), a list filter or the admin search is a 500.
The API cases are read from the OpenAPI schema, the portal and admin ones from the URL
resolver: a new operation or page is covered without being named here.
"""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, PathConverter, StringConverter, UUIDConverter
from drf_spectacular.generators import SchemaGenerator

from payroll.models import ExpenseCategory
from tests.english import _english_pages  # noqa: F401 - messages in English (the msgids)

pytestmark = pytest.mark.django_db

NUL_TEXT = "a\x00b"
MESSAGE = "Null characters are not allowed."
ID = "1"


# --- the API, from its schema ---------------------------------------------------------------


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


SCHEMA = _schema()


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        node = SCHEMA["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _with_nul(node: dict, depth: int = 0):
    """(a value of this schema where every text holds a NUL, the errors expected for it, as
    DRF nests them), or None for a schema without text."""
    node = _resolve(node)
    kind = node.get("type")
    if kind == "string" and node.get("format") != "binary":
        return NUL_TEXT, [MESSAGE]
    if kind == "array" and depth < 3:
        item = _with_nul(node.get("items", {}), depth + 1)
        return None if item is None else ([item[0]], [item[1]])
    if kind == "object" or "properties" in node:
        members = {
            name: _with_nul(member, depth + 1)
            for name, member in node.get("properties", {}).items()
            if not member.get("readOnly")
        }
        members = {name: pair for name, pair in members.items() if pair is not None}
        if not members:
            return None
        return (
            {name: value for name, (value, _errors) in members.items()},
            {name: errors for name, (_value, errors) in members.items()},
        )
    return None


NO_TEXT = ({"note": NUL_TEXT}, {"note": [MESSAGE]})


def _operations(methods) -> list:
    return list(_each_operation(methods))


def _each_operation(methods):
    for path, item in SCHEMA["paths"].items():
        for method, operation in item.items():
            if method in methods:
                yield pytest.param(path, method, operation, id=f"{method.upper()} {path}")


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", ID, path)


@pytest.mark.parametrize(("path", "method", "operation"), _operations({"post", "put", "patch"}))
def test_every_api_write_refuses_a_nul_in_each_text_field_naming_it(
    path, method, operation, alice_client
):
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content or not content:
        spec = content.get("application/json", {})
        body, expected = _with_nul(spec.get("schema", {})) or NO_TEXT
        response = getattr(alice_client, method)(
            _concrete(path), body, content_type="application/json"
        )
    else:
        media_type, spec = next(iter(content.items()), (None, {}))
        body, expected = _with_nul(spec.get("schema", {})) or NO_TEXT
        assert media_type == "multipart/form-data", media_type
        response = getattr(alice_client, method)(_concrete(path), body)

    assert response.status_code == 400, response.content
    assert response.json() == expected


@pytest.mark.parametrize(("path", "method", "operation"), _operations({"get", "delete"}))
def test_every_api_query_parameter_refuses_a_nul_naming_it(path, method, operation, alice_client):
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"] or ["q"]

    for name in names:
        response = getattr(alice_client, method)(_concrete(path), query_params={name: NUL_TEXT})

        assert response.status_code == 400, (name, response.content)
        assert response.json() == {name: [MESSAGE]}


def test_a_nul_in_the_category_of_an_expense_claim_is_a_400_not_a_database_error(
    alice_client, alice_3en1
):
    ExpenseCategory.objects.get_or_create(code="travel", defaults={"name": "Travel"})

    response = alice_client.post(
        "/api/v1/expense-claims/",
        {"unit": alice_3en1.pk, "category": "trav\x00el", "spent_on": "2026-01-05"},
    )

    assert response.status_code == 400
    assert response.json() == {"category": [MESSAGE]}


def test_a_nul_in_a_line_is_named_where_drf_names_errors_in_lines(alice_client):
    response = alice_client.post(
        "/api/v1/invoices/",
        {"lines": [{"description": "ok"}, {"description": NUL_TEXT}]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"lines": [{}, {"description": [MESSAGE]}]}


def test_a_nul_in_the_url_path_is_refused(alice_client):
    response = alice_client.get("/api/v1/clients/%00/")

    assert response.status_code == 400
    assert response.json() == {"path": [MESSAGE]}


# --- the portal, the admin and the account pages, from the URL resolver -------------------

SAMPLES = {IntConverter: ID, UUIDConverter: str(uuid.UUID(int=1))}


def _pages(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _pages(pattern.url_patterns, prefix + _route(pattern))
        elif isinstance(pattern, URLPattern):
            route = _route(pattern)
            if route is not None and not (prefix + route).startswith(("api/", "static/")):
                yield "/" + prefix + route


def _route(pattern) -> str | None:
    """A concrete path for a pattern: 1 for an int, "x" for a text; None for a regex with
    groups (the admin's app index: the app pages are reached through their model pages)."""
    regex = pattern.pattern
    if hasattr(regex, "converters") and regex.converters:
        route = str(regex)
        for name, converter in regex.converters.items():
            sample = SAMPLES.get(type(converter))
            if sample is None and isinstance(converter, StringConverter | PathConverter):
                sample = "x"
            route = re.sub(rf"<(\w+:)?{name}>", sample or ID, route)
        return route
    text = str(regex)
    if text.startswith("^") or "(" in text:
        text = text.lstrip("^").rstrip("$").replace("\\", "")
        return None if "(" in text or "[" in text else text
    return text


def _resolvable(page: str) -> bool:
    try:
        resolve(page)
    except Exception:
        return False
    return True


PAGES = sorted({page for page in _pages(get_resolver().url_patterns) if _resolvable(page)})


def test_the_pages_walked_include_the_portal_the_admin_and_the_accounts():
    assert any(page.startswith("/espace/") for page in PAGES)
    assert any(page.startswith("/admin/") and "changelist" not in page for page in PAGES)
    assert "/accounts/login/" in PAGES
    assert len(PAGES) > 100


@pytest.mark.parametrize("page", PAGES)
def test_every_page_refuses_a_nul_in_a_query_parameter_or_a_form_field_naming_it(page, client):
    # Refused before the view runs: the same answer whoever asks (no login needed to see it).
    query = client.get(page, {"q": NUL_TEXT})
    form = client.post(page, {"name": NUL_TEXT, "csrfmiddlewaretoken": "x"})

    assert (query.status_code, form.status_code) == (400, 400)
    assert query.content.decode().startswith("Refused: q.")
    assert form.content.decode().startswith("Refused: name.")


@pytest.mark.postgres
def test_the_admin_search_with_a_nul_is_a_400_not_a_database_error(admin_client):
    response = admin_client.get("/admin/members/member/", {"q": "ali\x00ce"})

    assert response.status_code == 400


def test_a_multipart_body_sent_to_a_json_only_operation_is_still_a_415(alice_client):
    response = alice_client.post("/api/v1/invoices/", {"note": NUL_TEXT})

    assert response.status_code == 415
