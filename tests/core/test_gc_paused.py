"""core.bulk.gc_paused: the batch runs (payroll, contributions) without the cyclic garbage
collector's full passes, the collector put back as it was, whatever happens."""

import gc
from datetime import date

import pytest

from core.bulk import gc_paused
from payroll.contributions import services as contribution_services
from payroll.pay import payroll_run


@pytest.fixture(autouse=True)
def _collector_on():
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_and_back_after():
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_back_after_an_error():
    with pytest.raises(ZeroDivisionError), gc_paused():
        assert not gc.isenabled()
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_left_off_when_it_was_off():
    gc.disable()
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_nested_pauses_give_it_back_once_out_of_the_outer():
    with gc_paused():
        with gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.django_db
def test_the_payroll_run_computes_with_the_collector_paused(monkeypatch):
    seen = []
    monkeypatch.setattr(
        payroll_run, "_compute", lambda *args, **kwargs: seen.append(gc.isenabled())
    )
    payroll_run.payroll_run_compute(period=date(2026, 10, 1), today=date(2026, 11, 5))
    assert seen == [False]
    assert gc.isenabled()


@pytest.mark.django_db
def test_the_contribution_run_posts_with_the_collector_paused(monkeypatch):
    seen = []

    def post(*args):
        seen.append(gc.isenabled())
        return []

    monkeypatch.setattr(contribution_services, "_post_in_python", post)
    monkeypatch.setattr(contribution_services, "_post_in_database", post)
    contribution_services.contributions_compute(period=date(2026, 10, 1), today=date(2026, 11, 5))
    assert seen == [False]
    assert gc.isenabled()
