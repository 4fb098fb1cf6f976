"""What a person is told in the application (and, as they choose, by e-mail): one row per person and event."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kring.accounts.models import Organisation
from kring.cases.models import Case


class Notification(models.Model):
    """One hand-off told to one person. The text is not stored: ``kind`` (a code of ``kinds.KINDS``) and
    ``params`` (the case number, dates; nothing personal) are rendered in the reader's language when shown."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    # Who sends the same event twice (an hourly scan) passes the same key: the person is told once. No key, no
    # deduplication (NULLs never collide in the unique constraint).
    key = models.CharField(max_length=120, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipient", "kind", "key"], name="notification_once")]
        indexes = [
            # The unread count in the header of every page: one COUNT over this partial index.
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_newest"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"


class EmailPreference(models.Model):
    """A person's choice to get (or not get) one kind of notification by e-mail too; without a row the kind's
    default holds."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=40)
    email = models.BooleanField(_("by e-mail"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="email_preference_once")]
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")
