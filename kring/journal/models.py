"""The case journal: dated entries on a case, never edited in place.

An entry records a contact moment (home visit, phone call, meeting, e-mail), an observation or a decision, with its
author (and the author's name at the time), when it was written and when it happened, the persons of the case it
concerns and who may see it beyond the case team. A correction is a new entry that points at the entry it corrects
(``corrects``); the corrected entry stays and shows ``corrected_by``. Only an entry nobody corrected is current.

Entries are append-only: the model refuses a second save and a delete, and its queryset refuses ``update`` and
``delete``. Only ``JournalEntry.objects.destroy()`` removes rows: it is kept for the destruction of a case file
after its retention period (a later service), and nothing else calls it.
"""

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kring.accounts.models import Organisation
from kring.cases.models import Case, Person

TEXT_LENGTH = 10000
REASON_LENGTH = 500


class Category(models.TextChoices):
    HOME_VISIT = "home_visit", _("home visit")
    PHONE_CALL = "phone_call", _("phone call")
    MEETING = "meeting", pgettext_lazy("journal category", "meeting")
    EMAIL = "email", pgettext_lazy("journal category", "e-mail")
    OBSERVATION = "observation", _("observation")
    DECISION = "decision", pgettext_lazy("journal category", "decision")
    OTHER = "other", pgettext_lazy("journal category", "other")


class Visibility(models.TextChoices):
    TEAM_ONLY = "team_only", _("case team only")
    FAMILY = "family", _("may be shared with the family")


class AppendOnlyError(Exception):
    """A journal entry was about to be changed or removed in place."""


class JournalEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Journal entries cannot be changed; write a correction instead.")

    def delete(self):
        raise AppendOnlyError("Journal entries cannot be deleted; write a correction instead.")

    def destroy(self):
        """Remove these entries and their person rows for good. Only for the destruction of a case file after its
        retention period; corrections are removed before what they correct, so no entry points at a removed one."""
        entry_ids = sorted(self.values_list("pk", flat=True), reverse=True)
        EntryPerson.objects.filter(entry_id__in=entry_ids).delete()
        EntryHiddenFrom.objects.filter(entry_id__in=entry_ids).delete()
        # Newest first: a correction is always newer than what it corrects, so it is gone before that entry.
        rows = 0
        for pk in entry_ids:
            rows += models.QuerySet.delete(JournalEntry.objects.filter(pk=pk).order_by())[0]
        return rows

    def current(self):
        """Entries nobody corrected: the versions that count."""
        return self.filter(corrected_by__isnull=True)


class JournalEntry(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="journal_entries")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The author's name when the entry was written, so the entry still says who wrote it if the account changes.
    author_name = models.CharField(_("written by"), max_length=254)
    written_at = models.DateTimeField(_("written at"), default=timezone.now, editable=False)
    occurred_at = models.DateTimeField(_("date and time"), help_text=_("When the contact or event took place."))
    category = models.CharField(_("kind of entry"), max_length=20, choices=Category.choices)
    text = models.TextField(_("text"), max_length=TEXT_LENGTH)
    persons = models.ManyToManyField(
        Person,
        through="EntryPerson",
        related_name="journal_entries",
        blank=True,
        verbose_name=_("persons it concerns"),
    )
    visibility = models.CharField(
        _("who may see it"), max_length=20, choices=Visibility.choices, default=Visibility.TEAM_ONLY
    )
    hidden_from = models.ManyToManyField(
        Person,
        through="EntryHiddenFrom",
        related_name="+",
        blank=True,
        verbose_name=_("never shown to"),
        help_text=_("Persons of the case who may never see this entry, also when it may be shared with the family."),
    )
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("corrects"),
    )
    correction_reason = models.CharField(_("reason for the correction"), max_length=REASON_LENGTH, blank=True)

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # The journal page: a case's entries newest first, from one index.
            models.Index(fields=["case", "-occurred_at", "-id"], name="journal_case_recent"),
            models.Index(fields=["case", "category"], name="journal_case_category"),
        ]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")

    def __str__(self):
        when = (
            formats.date_format(timezone.localtime(self.occurred_at), "SHORT_DATETIME_FORMAT")
            if self.occurred_at
            else ""
        )
        return f"{self.get_category_display()} {when}".strip()

    @property
    def is_current(self) -> bool:
        try:
            self.corrected_by  # noqa: B018 (the reverse one-to-one raises when nobody corrected the entry)
        except JournalEntry.DoesNotExist:
            return True
        return False

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Journal entries cannot be changed; write a correction instead.")
        if self.case_id and not self.organisation_id:
            self.organisation_id = self.case.organisation_id
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Journal entries cannot be deleted; write a correction instead.")


class EntryPerson(models.Model):
    """A person of the case a journal entry concerns. A person named in the journal cannot be removed from the case."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "person"], name="journal_entry_person_unique")]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")


class EntryHiddenFrom(models.Model):
    """A person of the case who may never see a journal entry."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "person"], name="journal_hidden_from_unique")]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
