"""The board (conseil d'administration): mandates and candidacies. Board members are unpaid
(statutes art. 23): nothing here links to payroll."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.model_fields import optional_link, required_link, staff_link
from members.models import Member


class Mandate(models.Model):
    """A seat on the board held by a member (a person, or an organisation represented by a
    named person) from `start` to `end`, unless it ends earlier (`ended_on`)."""

    class How(models.TextChoices):
        ELECTED = "elected", _("elected by the general assembly")
        COOPTED = "coopted", _("co-opted by the board")

    class Ratification(models.TextChoices):
        NOT_NEEDED = "", _("not needed")
        PENDING = "pending", _("waiting for the next ordinary assembly")
        RATIFIED = "ratified", _("ratified")
        REFUSED = "refused", _("refused")

    class EndReason(models.TextChoices):
        TERM = "term", _("end of term")
        RESIGNATION = "resignation", _("resignation")
        REVOCATION = "revocation", _("revocation")
        RATIFICATION_REFUSED = "ratification_refused", _("cooptation not ratified")

    member = required_link(Member, _("board member"), related_name="mandates")
    representative_name = models.CharField(
        _("represented by"),
        max_length=200,
        blank=True,
        help_text=_("For a member organisation: the natural person who sits on the board."),
    )
    how = models.CharField(_("how"), max_length=16, choices=How.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end of term"))
    # The resolution that elected the member (election item) or ratified the cooptation.
    elected_by = optional_link(
        "governance.AgendaItem", _("elected by"), related_name="elected_mandates"
    )
    replaces = optional_link("self", _("replaces"), related_name="replaced_by")
    ratification = models.CharField(
        _("ratification"), max_length=16, choices=Ratification.choices, blank=True, default=""
    )
    ratified_by = optional_link(
        "governance.AgendaItem", _("ratified by"), related_name="ratified_mandates"
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=24, choices=EndReason.choices, blank=True
    )
    recorded_by = staff_link(_("recorded by"))

    class Meta:
        verbose_name = _("board mandate")
        verbose_name_plural = _("board mandates")
        ordering = ["-start", "member__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="mandate_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.member} ({self.start:%Y}–{self.end:%Y})"

    def active_on(self, day) -> bool:
        return self.start <= day < (self.ended_on or self.end)


class Candidacy(models.Model):
    """A member's candidacy to the board, filed in the portal before the deadline. A late one
    is kept for the next year's election."""

    class Status(models.TextChoices):
        FILED = "filed", _("filed")
        ON_BALLOT = "on_ballot", _("on the ballot")
        ELECTED = "elected", _("elected")
        NOT_ELECTED = "not_elected", _("not elected")
        DEFERRED = "deferred", _("kept for the next election")
        WITHDRAWN = "withdrawn", _("withdrawn")
        REFUSED = "refused", _("not admissible")

    member = required_link(Member, _("candidate"), related_name="candidacies")
    representative_name = models.CharField(_("represented by"), max_length=200, blank=True)
    statement = models.TextField(_("statement"))
    year = models.PositiveSmallIntegerField(_("election year"))
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.FILED
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("candidacy")
        verbose_name_plural = _("candidacies")
        ordering = ["-year", "filed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year"],
                condition=models.Q(status__in=["filed", "on_ballot", "deferred"]),
                name="candidacy_once_a_year",
            ),
        ]

    def __str__(self):
        return f"{self.member} ({self.year})"
