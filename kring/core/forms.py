from django.forms.renderers import TemplatesSetting


class KringFormRenderer(TemplatesSetting):
    """Every form field gets its label, help and errors beside it, linked for screen readers."""

    form_template_name = "kring/forms/div.html"
    field_template_name = "kring/forms/field.html"
