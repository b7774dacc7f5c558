"""The audit trail's "changes" column reads in the reader's language (issue 16): a field by its
name, a choice by its label, a day dd/mm/yyyy, never the stored code or ISO form."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from core.models import AuditEvent
from invoicing.models import Invoice

pytestmark = pytest.mark.django_db


def _event(changes) -> AuditEvent:
    return AuditEvent(
        action="invoice.issued",
        content_type=ContentType.objects.get_for_model(Invoice),
        object_id="1",
        object_repr="F-2026-000001",
        changes=changes,
    )


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_a_choice_reads_by_its_label_and_a_day_the_belgian_way(language):
    event = _event({"status": ["draft", "issued"], "supply_date": "2026-11-10"})
    with translation.override(language):
        status = Invoice._meta.get_field("status")
        supply = Invoice._meta.get_field("supply_date")
        expected = [
            (
                str(status.verbose_name),
                f"{Invoice.Status.DRAFT.label} → {Invoice.Status.ISSUED.label}",
            ),
            (str(supply.verbose_name), "10/11/2026"),
        ]
        assert event.change_lines() == expected
        text = " ".join(part for line in event.change_lines() for part in line)
    assert "2026-11-10" not in text
    if language != "en":  # English labels happen to be the codes' words
        assert "draft" not in text and "issued" not in text


def test_days_inside_a_text_and_unknown_names_are_kept_readable():
    event = _event({"days": ["2026-11-10 2026-11-11", "2026-12-01"], "note": "ref 12-2026"})
    assert event.change_lines() == [
        ("days", "10/11/2026 11/11/2026 → 01/12/2026"),
        ("note", "ref 12-2026"),
    ]


def test_a_reverse_relation_keeps_its_recorded_name():
    # "lines" is Invoice's reverse relation to its lines: it has no verbose name of its own.
    event = _event({"lines": ["2", "3"]})
    assert event.change_lines() == [("lines", "2 → 3")]
