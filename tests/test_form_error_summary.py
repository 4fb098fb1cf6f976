"""Every form drawn by Kring's form renderer summarises its errors at the top, each field's error linking to that
field, and shows what belongs to no field (or to a hidden field) beside the submit button as well."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation


class _Example(forms.Form):
    name = forms.CharField(label="Name")
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        raise ValidationError("The whole form is wrong.")


def test_the_summary_links_each_error_to_its_field_and_the_form_errors_close_the_form():
    form = _Example({"name": "", "kind": "zzz"})
    with translation.override("en"):
        page = str(form)
    summary = re.search(r'<div class="error-summary" role="alert" tabindex="-1">(.*?)</div>', page, re.S)
    assert summary, page
    links = dict(re.findall(r'<a href="#([\w-]+)" data-field="\1">([^<]*)</a>', summary.group(1)))
    assert set(links) == {"id_name", "id_kind"}
    assert links["id_name"].startswith("Name: ")
    # The ids linked to exist in the page: the text input, and the radio group's wrapper.
    assert 'id="id_name"' in page and re.search(r'<div id="id_kind"', page)
    # What names no visible field: in the summary, and again after the last field (where the submit button goes).
    assert "The whole form is wrong." in summary.group(1)
    assert "(Hidden field version)" in summary.group(1)
    last_field = page.rindex('class="field')
    tail = page[last_field:]
    assert re.search(r'<ul class="errorlist nonfield form-errors">.*The whole form is wrong\.', tail, re.S)
    # One alert per form: the summary; the errors beside the fields are tied to them by aria-describedby.
    assert page.count('role="alert"') == 1
    assert 'aria-describedby="id_name_error"' in page and 'id="id_name_error"' in page


def test_a_form_without_errors_has_no_summary():
    valid = forms.Form({})
    assert valid.is_valid()
    assert "error-summary" not in str(valid) and "form-errors" not in str(valid)
