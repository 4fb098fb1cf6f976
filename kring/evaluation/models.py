"""The evaluation stage's own records: research projects (whose key makes the pseudonyms of their extracts) and
the long-running jobs (reports and extracts) with their progress and their result.

Nothing here holds case data: a job's result is an aggregate report or a pseudonymised extract."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kring.accounts.models import Organisation


class ResearchProject(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("purpose"), max_length=4000, blank=True)
    organisations = models.ManyToManyField(Organisation, related_name="+", verbose_name=_("organisations"))
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="research_projects", blank=True, verbose_name=_("researchers")
    )
    # The key of the project's pseudonyms (HMAC-SHA256): the same record gets the same pseudonym in every extract
    # of this project and an unrelated one in any other project; without the key no pseudonym can be traced back.
    key = models.BinaryField(editable=False)
    offered_from = models.DateField(_("offers from"), null=True, blank=True)
    offered_until = models.DateField(_("offers until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("research project")
        verbose_name_plural = _("research projects")

    def __str__(self):
        return self.name


class JobKind(models.TextChoices):
    REPORT = "report", _("report")
    EXTRACT = "extract", _("research extract")
    UPLOADED = "uploaded", _("evaluation of an uploaded extract")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", pgettext_lazy("job status", "running")
    DONE = "done", pgettext_lazy("job status", "done")
    FAILED = "failed", _("failed")


class EvaluationJob(models.Model):
    kind = models.CharField(max_length=10, choices=JobKind.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(ResearchProject, on_delete=models.CASCADE, null=True, blank=True, related_name="jobs")
    organisation_ids = models.JSONField(default=list)  # the scope, fixed when the job is asked for
    params = models.JSONField(default=dict)
    language = models.CharField(max_length=8, default="nl")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    stage = models.CharField(max_length=200, blank=True)  # what it is doing, in the job's language
    error = models.CharField(max_length=500, blank=True)
    data = models.JSONField(null=True, blank=True)  # a report's figures and tables, shown on its page
    result = models.BinaryField(null=True, editable=False)
    # An uploaded extract waiting for the worker; emptied as soon as the job ends (nothing of it is kept).
    upload = models.BinaryField(null=True, editable=False)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="job_requested_recent")]
