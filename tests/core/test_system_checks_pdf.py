"""The start-up check that warns when WeasyPrint would subset fonts in Python (issue 19)."""

import logging

from django.conf import settings
from django.core.checks import run_checks

from core import checks


def _ids():
    return [message.id for message in run_checks()]


def test_no_warning_when_the_library_is_there(monkeypatch):
    monkeypatch.setattr(checks.ctypes.util, "find_library", lambda name: f"lib{name}.so.0")
    assert "smartcoop.W001" not in _ids()


def test_a_warning_naming_the_package_when_it_is_missing(monkeypatch):
    monkeypatch.setattr(checks.ctypes.util, "find_library", lambda name: None)
    (warning,) = [message for message in run_checks() if message.id == "smartcoop.W001"]
    assert "libharfbuzz-subset0" in warning.msg and "apt-get install" in warning.hint


def test_fonttools_info_lines_are_not_logged():
    assert settings.LOGGING["loggers"]["fontTools"]["level"] == "WARNING"
    assert not logging.getLogger("fontTools.subset").isEnabledFor(logging.INFO)
