"""Validation of a meeting's video link: an https address only, so no other scheme (http, javascript:, data:)
reaches a letter or a calendar file (decision 236)."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

HTTPS_ONLY = URLValidator(schemes=["https"], message=_("Give a video meeting link that starts with https://."))


def validate_video_link(value: str) -> None:
    value = (value or "").strip()
    if not value:
        return
    if not value.lower().startswith("https://"):
        raise ValidationError(_("Give a video meeting link that starts with https://."), code="https_only")
    HTTPS_ONLY(value)
