"""Dates are written the Belgian way in French, Dutch and English (issue 16)."""

from datetime import date

import pytest
from django import forms
from django.utils import formats, translation

DAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("language", "long"),
    [("fr", "6 décembre 2026"), ("nl", "6 december 2026"), ("en", "6 December 2026")],
)
def test_dates_are_day_month_year_in_every_language(language, long):
    with translation.override(language):
        assert formats.date_format(DAY) == long
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == "06/12/2026"


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_forms_read_the_belgian_form_first(language):
    class DayForm(forms.Form):
        day = forms.DateField()

    with translation.override(language):
        form = DayForm({"day": "01/02/2026"})
        assert form.is_valid(), form.errors
        # 1 February, never 2 January (the American reading).
        assert form.cleaned_data["day"] == date(2026, 2, 1)
        assert DayForm({"day": "2026-02-01"}).is_valid()  # the browsers' date pickers
