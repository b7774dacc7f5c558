"""core.forms.PlainSelect writes the same <select> as Django's Select, without its templates."""

import pytest
from django import forms
from django.test.html import parse_html

from core.forms import PlainSelect
from invoicing.forms_invoices import InvoiceFilterForm

CHOICES = [
    ("", "All"),
    ("a", 'Brasserie "du Coin" & fils'),
    ("Groupe <b>", [("b", "Bière"), ("c", "Café")]),
    (3, "Trois"),
]


@pytest.mark.parametrize("value", [None, "", "a", "c", 3, "unknown"])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_client", "class": "wide", "required": True, "disabled": False}]
)
def test_same_element_as_djangos_select(value, attrs):
    ours = PlainSelect(choices=CHOICES).render("client", value, attrs=attrs)
    djangos = forms.Select(choices=CHOICES).render("client", value, attrs=attrs)
    assert parse_html(ours) == parse_html(djangos)


def test_escapes_labels_and_marks_the_chosen_option():
    html = PlainSelect(choices=CHOICES).render("client", "c")
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert "&amp; fils" in html
    assert '<option value="c" selected>Café</option>' in html


def test_in_a_form_field_with_model_choices(alice):
    form = InvoiceFilterForm(user=alice)
    assert isinstance(form.fields["client"].widget, PlainSelect)
    ours = str(form["unit"])
    theirs = forms.Select(choices=form.fields["unit"].choices).render(
        "unit", None, attrs={"id": "id_unit"}
    )
    assert parse_html(ours) == parse_html(theirs)
    assert "UP-" in ours
