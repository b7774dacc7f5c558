"""core.exports.refused_download: a download whose filters don't validate says why, in plain
text, each error after its field's label."""

from django import forms

from core.exports import refused_download


class Filters(forms.Form):
    since = forms.DateField(label="Depuis")
    until = forms.DateField(label="Jusqu'au", required=False)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise forms.ValidationError("La fin précède le début.")
        return data


def test_each_error_is_a_line_after_its_fields_label_and_nothing_else_is_sent():
    response = refused_download(Filters({"since": "pas une date", "until": "31/02/2026"}))
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Depuis: ")
    assert lines[1].startswith("Jusqu'au: ")


def test_a_form_wide_error_stands_alone():
    response = refused_download(Filters({"since": "2026-03-02", "until": "2026-03-01"}))
    assert response.content.decode() == "La fin précède le début."
