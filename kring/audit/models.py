"""The access log: who read or changed which record of case or person data, when and from where.

In the spirit of NEN 7513. Entries are append-only: the model refuses updates and deletes, and a database
trigger (see the migration) refuses them too, so not even a slip in our own code can rewrite history.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Action(models.TextChoices):
    VIEW = "view", _("viewed")
    LIST = "list", _("listed")
    SEARCH = "search", _("searched")
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("removed")
    EXPORT = "export", _("exported")
    DENIED = "denied", _("refused access")


# What kind of record an entry is about, in words for the privacy officer's page.
RECORD_TYPE_LABELS = {
    "case": _("case"),
    "person": _("person"),
    "case_team": _("case team member"),
    "consent": _("consent"),
    "journal_entry": _("journal entry"),
    "case_history": _("case history"),
    "case_search": _("search"),
    "access_log": _("access log"),
    "network_member": _("network details of a person"),
    "relationship": _("relationship"),
    "system_tie": _("tie to a system"),
    "network": _("network map"),
    "method_offer": _("method offer"),
    "selector_run": _("method selection"),
    "trajectory": _("trajectory"),
    "family_plan_right": _("family group plan offer (Jeugdwet)"),
    "strengths_exploration": _("exploration of own strengths"),
    "meeting": _("meeting"),
    "invitation": _("invitation to a meeting"),
    "attendance": _("attendance at a meeting"),
    "meeting_information": _("information for a meeting"),
    "reminder": _("reminder"),
    "bottom_line": _("bottom line"),
    "plan": _("plan"),
    "agreement": _("agreement"),
    "plan_review": _("plan review"),
    "personal_link": _("personal link"),
    "child_tool": _("child's tool"),
    "safety_map_entry": _("entry on the safety map"),
    "danger_statement": _("danger statement"),
    "safety_rating": _("safety scale rating"),
    "safety_network_member": _("safety network member"),
    "document": _("document"),
    "subject_access_request": _("subject access request"),
    "rectification_request": _("rectification request"),
    "retention": _("files due for destruction"),
    "destruction_request": _("request to destroy a file"),
    "destruction_batch": _("destruction batch"),
    # Changes made in the administration (accounts), and refused API calls of a browser session.
    "user_account": _("user account"),
    "membership": _("role at an organisation"),
    "team": _("team"),
    "team_member": _("place in a team"),
    "api_token": _("API token"),
    "organisation": _("organisation"),
    "api_session": _("API call with a browser session"),
    "login_session": _("login session"),
}


class AppendOnlyError(Exception):
    pass


class AccessLogEntry(models.Model):
    """One record touched by one user at one moment.

    On PostgreSQL the table is partitioned by month on ``at`` (migration 0004, ``partitions.py``): its primary key
    there is (id, at), as a partitioned table demands; ``id`` stays unique through its sequence and Django keeps
    treating it as the key. The indexes serve the privacy officer's filters, each ending in ``at`` so a page is read
    in order from the index: by organisation, by user, by case.
    """

    at = models.DateTimeField(_("when"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # The e-mail address at the time, so the entry still says who it was if the account is renamed.
    user_label = models.CharField(_("user"), max_length=254, blank=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    record_type = models.CharField(_("record type"), max_length=40)
    record_id = models.CharField(_("record"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    ip_address = models.GenericIPAddressField(pgettext_lazy("IP address", "address"), null=True, blank=True)
    path = models.CharField(_("page or endpoint"), max_length=300, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["case_id", "at"]),
            models.Index(fields=["user", "at"]),
            models.Index(fields=["organisation_id", "at"], name="audit_log_organisation_at"),
            # The few entries without an organisation, by user: the page's second query (decision 168).
            models.Index(
                fields=["user", "at"], name="audit_log_loose_user_at", condition=models.Q(organisation_id__isnull=True)
            ),
        ]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")

    @property
    def record_type_label(self):
        return RECORD_TYPE_LABELS.get(self.record_type, self.record_type)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Access log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Access log entries cannot be deleted.")


class AccessLogSettings(models.Model):
    """Per organisation: how long its access log entries are kept (decision 165)."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="access_log_settings"
    )
    retention_months = models.PositiveSmallIntegerField(_("keep the access log for (months)"))
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("access log settings")
        verbose_name_plural = _("access log settings")


class AccessLogArchive(models.Model):
    """One month of the access log written to a compressed file before its rows were dropped (decision 166)."""

    month = models.DateField(_("month"))
    file_name = models.CharField(_("file"), max_length=200)
    rows = models.BigIntegerField(_("entries"))
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("access log archive")
        verbose_name_plural = _("access log archives")
