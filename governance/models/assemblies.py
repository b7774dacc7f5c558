"""The statutes' dated rules, general assemblies, their agenda, voter roll and proxies."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.dated import DatedQuerySet
from core.dates import format_validity
from core.model_fields import optional_link, required_link, staff_link
from members.models import Member

fraction_validators = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]


class GovernancePolicy(models.Model):
    """The statutes' rules as data, in force over a period: chosen by the assembly's date and
    frozen on the assembly when it is convened."""

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    mandate_years = models.PositiveSmallIntegerField(_("length of a board mandate (years)"))
    mandate_limit = models.PositiveSmallIntegerField(_("mandates at most per person"))
    proxy_cap = models.PositiveSmallIntegerField(
        _("proxies at most per holder"), validators=[MinValueValidator(1)]
    )
    early_voting = models.BooleanField(
        _("online voting may open before the meeting day"), default=False
    )
    early_voting_days = models.PositiveSmallIntegerField(
        _("days before the meeting the online vote may open"), default=0
    )
    ordinary_quorum = models.DecimalField(
        _("quorum of an ordinary resolution (share of the roll)"),
        default=Decimal("0"),
        validators=fraction_validators,
        max_digits=5,
        decimal_places=4,
    )
    ordinary_majority = models.DecimalField(
        _("majority of an ordinary resolution (share of votes cast, more than)"),
        default=Decimal("0.5"),
        validators=fraction_validators,
        max_digits=5,
        decimal_places=4,
    )
    statute_quorum = models.DecimalField(
        _("quorum of a statute amendment (share of the roll present or represented)"),
        validators=fraction_validators,
        max_digits=5,
        decimal_places=4,
    )
    statute_majority = models.DecimalField(
        _("majority of a statute amendment (share of votes cast, at least)"),
        validators=fraction_validators,
        max_digits=5,
        decimal_places=4,
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder sent this many days before the vote closes"), default=3
    )
    candidacy_days = models.PositiveSmallIntegerField(
        _("candidacies close this many days before the assembly"), default=30
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("governance policy")
        verbose_name_plural = _("governance policies")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="governance_policy_valid_to_after_from",
            ),
        ]

    def __str__(self):
        return f"{format_validity(self.valid_from, self.valid_to)}"

    def frozen(self) -> dict:
        """The rules as the assembly keeps them once convened (strings for the fractions)."""
        return {
            "policy_id": self.pk,
            "mandate_years": self.mandate_years,
            "mandate_limit": self.mandate_limit,
            "proxy_cap": self.proxy_cap,
            "early_voting": self.early_voting,
            "early_voting_days": self.early_voting_days,
            "ordinary_quorum": str(self.ordinary_quorum),
            "ordinary_majority": str(self.ordinary_majority),
            "statute_quorum": str(self.statute_quorum),
            "statute_majority": str(self.statute_majority),
            "reminder_days": self.reminder_days,
            "candidacy_days": self.candidacy_days,
        }


class GeneralAssembly(models.Model):
    """An assemblée générale: a process from the notice to the published results."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("ordinary")
        EXTRAORDINARY = "extraordinary", _("extraordinary")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        CONVENED = "convened", _("convened")
        VOTING_OPEN = "voting_open", _("voting open")
        CLOSED = "closed", _("closed")
        PUBLISHED = "published", _("results published")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("meeting day"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online vote"), default=True)
    notice_date = models.DateField(_("notice date"))
    record_date = models.DateField(
        _("record date"), help_text=_("The voter roll is the members in good standing that day.")
    )
    voting_opens_at = models.DateTimeField(_("online vote opens"))
    voting_closes_at = models.DateTimeField(_("online vote closes"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Frozen at convening: the statutes' rules, the tellers' public key, the roll's hash.
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    public_key = models.CharField(_("public key of the tellers"), max_length=64, blank=True)
    roll_size = models.PositiveIntegerField(_("members on the roll"), default=0)
    roll_sha256 = models.CharField(_("SHA-256 of the voter roll"), max_length=64, blank=True)
    convened_at = models.DateTimeField(_("convened at"), null=True, blank=True)
    # The chain of encrypted ballots: the hash of the last link, and how many links.
    chain_head = models.CharField(_("last link of the ballot chain"), max_length=64, blank=True)
    ballot_count = models.PositiveIntegerField(_("ballots cast online"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    tallied_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    ballots_sha256 = models.CharField(
        _("SHA-256 of the counted ballots"), max_length=64, blank=True
    )
    published_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    minutes_pdf = models.FileField(_("minutes"), upload_to="governance/minutes/", blank=True)
    # Convocations go out in batches of roll entries (by id): the last one sent, so a task
    # that is run again carries on where it stopped instead of writing twice.
    convocations_sent_upto = models.PositiveBigIntegerField(default=0, editable=False)
    reminders_sent_at = models.DateTimeField(_("reminders sent at"), null=True, blank=True)
    created_by = staff_link(_("created by"))

    class Meta:
        verbose_name = _("general assembly")
        verbose_name_plural = _("general assemblies")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(voting_closes_at__gt=models.F("voting_opens_at")),
                name="assembly_vote_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=models.Q(record_date__lte=models.F("date")),
                name="assembly_record_date_not_after_meeting",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.date:%d/%m/%Y})"

    @property
    def results_visible(self) -> bool:
        return self.status == self.Status.PUBLISHED


class AgendaItem(models.Model):
    """A point of the agenda and the kind of decision it calls for, with its rule frozen."""

    class Kind(models.TextChoices):
        INFORMATION = "information", _("information (no vote)")
        ORDINARY = "ordinary", _("ordinary resolution")
        STATUTES = "statutes", _("statute amendment")
        ELECTION = "election", _("board election")
        RATIFICATION = "ratification", _("ratification of a cooptation")
        DISCHARGE = "discharge", _("discharge of the board members")

    assembly = models.ForeignKey(
        GeneralAssembly,
        verbose_name=_("assembly"),
        on_delete=models.CASCADE,
        related_name="items",
        db_index=False,
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("wording"), blank=True)
    kind = models.CharField(_("kind of decision"), max_length=16, choices=Kind.choices)
    seats = models.PositiveSmallIntegerField(_("seats to fill"), default=0)
    # Frozen at convening: {"quorum": "0.5", "majority": "0.75", "strict": false} or {} (no vote).
    rule = models.JSONField(_("rule"), default=dict, blank=True)
    # A ratification is about one co-opted mandate.
    mandate = optional_link(
        "governance.Mandate", _("co-opted mandate"), related_name="ratification_items"
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["assembly", "position"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "position"], name="agenda_item_position"),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"

    @property
    def takes_vote(self) -> bool:
        return self.kind != self.Kind.INFORMATION


class AgendaDocument(models.Model):
    """A document of an agenda item: accounts, reports, a candidate's statement (PDF)."""

    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("PDF"), upload_to="governance/documents/")
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("agenda document")
        verbose_name_plural = _("agenda documents")
        ordering = ["item", "id"]

    def __str__(self):
        return self.title


class ElectionCandidate(models.Model):
    """A candidate on the ballot of a board election item."""

    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("election"),
        on_delete=models.CASCADE,
        related_name="candidates",
        db_index=False,
    )
    member = required_link(Member, _("candidate"))
    representative_name = models.CharField(
        _("represented by"),
        max_length=200,
        blank=True,
        help_text=_("For a member organisation: the natural person who would sit."),
    )
    statement = models.TextField(_("statement"), blank=True)
    candidacy = optional_link(
        "governance.Candidacy", _("candidacy"), related_name="ballot_line", one=True
    )

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["item", "member__last_name", "member__first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="candidate_once_per_election"),
        ]

    def __str__(self):
        name = self.member.display_name
        if self.representative_name:
            return _("%(member)s, represented by %(person)s") % {
                "member": name,
                "person": self.representative_name,
            }
        return name


class VoterRollEntry(models.Model):
    """One member on an assembly's roll: frozen at convening, corrected only with a reason."""

    assembly = models.ForeignKey(
        GeneralAssembly,
        verbose_name=_("assembly"),
        on_delete=models.CASCADE,
        related_name="roll",
        db_index=False,
    )
    member = required_link(Member, _("member"))
    number = models.PositiveIntegerField(_("member number"))
    category = models.CharField(_("category"), max_length=1)
    correction_reason = models.TextField(_("added by correction, because"), blank=True)

    class Meta:
        verbose_name = _("voter roll entry")
        verbose_name_plural = _("voter roll")
        ordering = ["assembly", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "member"], name="roll_member_once"),
        ]

    def __str__(self):
        return f"{self.assembly_id}: {self.number}"


class Proxy(models.Model):
    """A procuration: the giver lets the holder vote for them at one assembly."""

    class Status(models.TextChoices):
        GIVEN = "given", _("waiting for the holder")
        ACCEPTED = "accepted", _("waiting for validation")
        VALIDATED = "validated", _("validated")
        DECLINED = "declined", _("declined by the holder")
        REFUSED = "refused", _("refused by an advisor")
        CANCELLED = "cancelled", _("cancelled")
        USED = "used", _("used")

    ACTIVE = [Status.GIVEN, Status.ACCEPTED, Status.VALIDATED]

    assembly = models.ForeignKey(
        GeneralAssembly,
        verbose_name=_("assembly"),
        on_delete=models.CASCADE,
        related_name="proxies",
    )
    giver = required_link(Member, _("given by"))
    holder = required_link(Member, _("holder"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.GIVEN
    )
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = staff_link(_("validated by"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        ordering = ["assembly", "-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "giver"],
                condition=models.Q(status__in=["given", "accepted", "validated", "used"]),
                name="proxy_one_active_per_giver",
            ),
            models.CheckConstraint(
                condition=~models.Q(giver=models.F("holder")), name="proxy_not_to_oneself"
            ),
        ]

    def __str__(self):
        return f"{self.giver} → {self.holder}"
