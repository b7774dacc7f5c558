"""The snapshots of the board's figures, the runs that compute them, and the daily counter
of logins to the member portal."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.dates import format_day


class YearAndScope(models.Model):
    """A year of figures, for an office (empty: every office) and a sector (empty: every
    sector)."""

    year = models.PositiveSmallIntegerField(_("year"))
    office = models.ForeignKey(
        "members.Office", verbose_name=_("office"), null=True, blank=True, on_delete=models.CASCADE
    )
    sector = models.ForeignKey(
        "production_units.Sector",
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )

    class Meta:
        abstract = True


class FigureSnapshot(YearAndScope):
    """A section's figures for a year, an office (empty: every office) and a sector (empty:
    every sector), as computed at `computed_at`. Recomputing replaces it (one row per key)."""

    figure = models.CharField(_("figure"), max_length=40)
    period_end = models.DateField(_("figures up to"))
    data = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.DecimalField(_("computed in (s)"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("figure snapshot")
        verbose_name_plural = _("figure snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "office", "sector", "figure"],
                nulls_distinct=False,
                name="snapshot_once_per_key",
            ),
        ]

    def __str__(self):
        return f"{self.figure} {self.year}"


class BackgroundJob(models.Model):
    """Work asked for from a page and done by a task: its status (the page shows it until
    it is done), who asked and when, and why it failed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        abstract = True


class SnapshotRun(YearAndScope, BackgroundJob):
    """One computation of the snapshots of a year and scope, with its progress: the page
    that asked for it shows it until it is done."""

    total = models.PositiveSmallIntegerField(_("figures to compute"), default=0)
    done = models.PositiveSmallIntegerField(_("figures computed"), default=0)

    class Meta:
        verbose_name = _("snapshot run")
        verbose_name_plural = _("snapshot runs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.year} ({self.get_status_display()})"


class PortalLoginDay(models.Model):
    """How many times members logged in to the portal on a day, and how many different
    members did. Nothing about who: the second count is kept by comparing the day with the
    account's previous last login (which Django keeps anyway)."""

    day = models.DateField(_("day"), unique=True)
    logins = models.PositiveIntegerField(_("logins"), default=0)
    members = models.PositiveIntegerField(_("members who logged in"), default=0)

    class Meta:
        verbose_name = _("portal logins of a day")
        verbose_name_plural = _("portal logins per day")
        ordering = ["-day"]

    def __str__(self):
        return f"{format_day(self.day)}: {self.logins}"


class ReportDocument(BackgroundJob):
    """A yearly report rendered as a PDF by a task (the activity report's key figures, the
    cooperative-principles report), kept as a private file: only those who may see the row
    (reports/admin.py) download it."""

    class Kind(models.TextChoices):
        ACTIVITY = "activity", _("activity report: key figures")
        PRINCIPLES = "principles", _("report on the cooperative principles")

    kind = models.CharField(_("report"), max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(_("language"), max_length=8)
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/", blank=True)

    class Meta:
        verbose_name = _("report document")
        verbose_name_plural = _("report documents")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year} ({self.language})"


class ReportText(models.Model):
    """A version of a narrative section of a yearly report, written by the board. Each edit
    of an approved text is a new draft; the report uses the last approved version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")

    year = models.PositiveSmallIntegerField(_("year"))
    section = models.CharField(_("section"), max_length=40)
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    written_at = models.DateTimeField(_("written at"), auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report text")
        verbose_name_plural = _("report texts")
        ordering = ["year", "section", "-pk"]

    def __str__(self):
        return f"{self.section} {self.year} ({self.get_status_display()})"
