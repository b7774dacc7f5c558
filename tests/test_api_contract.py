"""The OpenAPI schema documents every answer the API gives.

schemathesis checks the running API against the schema in CI (scripts/api_contract.sh);
these tests keep the two rules it relies on from regressing without a server: every
operation documents its error answers, and those answers are JSON, even for a URL that no
route matches.
"""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
OPERATIONS = [
    pytest.param(path, method, operation, id=f"{method.upper()} {path}")
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
    if method in ("get", "post", "put", "patch", "delete")
]


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS)
def test_every_operation_documents_its_error_answers_as_json(path, method, operation):
    expected = {"400", "404", "429"}
    if operation.get("security") != [{}]:  # not open to anyone
        expected |= {"401", "403"}
    if "requestBody" in operation:
        expected.add("415")

    responses = operation["responses"]

    assert expected <= set(responses), sorted(expected - set(responses))
    for code in expected:
        assert "application/json" in responses[code].get("content", {}), code


def test_the_open_operations_are_only_the_token_route():
    open_operations = {
        (path, method)
        for path, method, operation in (p.values for p in OPERATIONS)
        if operation.get("security") == [{}]
    }

    assert open_operations == {("/api/v1/auth/token/", "post")}


@pytest.mark.parametrize(
    "path", ["/api/v1/clients/abc/", "/api/v1/nothing-here/", "/api/v1/invoices/1/pdf/x/"]
)
def test_an_api_url_that_no_route_matches_answers_a_json_404(path, alice_client):
    response = alice_client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_a_portal_url_that_no_route_matches_still_answers_the_404_page(alice_client):
    response = alice_client.get("/espace/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
