"""How many queries a page costs, for the tests that pin it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def page_queries(client, url: str) -> int:
    """The queries of the page served a second time (it must answer 200): what pages keep in
    the cache (the month the contribution runs have closed, the menu's facts, the session) is
    read the first time only."""
    assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(context.captured_queries)
