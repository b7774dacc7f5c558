"""Pages answer in the visitor's language (French by default). Tests that read messages in
the page ask for English, the msgids, with the language cookie."""

import pytest
from django.conf import settings


def speak_english(http_client):
    http_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return http_client


@pytest.fixture(autouse=True)
def _english_pages(client):
    speak_english(client)
