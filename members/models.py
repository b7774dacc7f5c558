from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from core.dated import DatedQuerySet
from core.encryption import EncryptedIBANField, EncryptedNationalNumberField, LookupHashField
from core.models import AppendOnlyModel
from core.scoping import office_scoped
from core.validators import (
    BICField,
    EnterpriseNumberField,
    EUVATField,
    IBANField,
)

LANGUAGE_CHOICES = [("fr", "Français"), ("nl", "Nederlands"), ("en", "English")]


class EmailUserManager(UserManager):
    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """An account: members log in by email; staff users may work in an office."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    office = models.ForeignKey(
        "members.Office",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("For advisors: the office whose members they follow."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email


class Office(models.Model):
    """One of the cooperative's offices (data, not code)."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=100)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["name"]

    def __str__(self):
        return self.name


class LegalEntity(models.Model):
    """A legal entity of the cooperative: an invoice series and an employer belong to one."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    enterprise_number = EnterpriseNumberField(_("enterprise number"), unique=True)
    vat_number = EUVATField(_("VAT number"), blank=True)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="BE")
    iban = IBANField(_("IBAN"))
    bic = BICField(_("BIC"))
    peppol_id = models.CharField(
        _("Peppol identifier"), max_length=50, help_text=_("e.g. 0208:0450010021")
    )

    class Meta:
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class MemberQuerySet(models.QuerySet):
    def admitted_on(self, day):
        """Members on `day`: admitted on or before it and not gone (they leave on `left_on`)."""
        return self.filter(member_since__lte=day).filter(
            models.Q(left_on__gt=day) | models.Q(left_on__isnull=True, status=Member.Status.MEMBER)
        )

    def followed_by(self, user):
        """The members an advisor may see: their office's (core.scoping)."""
        return office_scoped(self, user, "office")


class Member(models.Model):
    """A sociétaire: a person (or, in category C, an organisation) holding shares."""

    class Category(models.TextChoices):
        A = "A", _("A — develops an activity")
        B = "B", _("B — support staff")
        C = "C", _("C — client, partner, investor, sympathiser")

    class Gender(models.TextChoices):
        FEMALE = "F", _("female")
        MALE = "M", _("male")
        OTHER = "X", _("other / not stated")

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("applicant")
        MEMBER = "member", _("member")
        RESIGNED = "resigned", _("resigned")
        EXCLUDED = "excluded", _("excluded")
        DECEASED = "deceased", _("deceased")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member",
    )
    number = models.PositiveIntegerField(_("member number"), unique=True, null=True, blank=True)
    category = models.CharField(_("category"), max_length=1, choices=Category.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.MEMBER
    )
    is_organisation = models.BooleanField(_("organisation"), default=False)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    national_number = EncryptedNationalNumberField(_("national register number"), blank=True)
    national_number_hash = LookupHashField(source="national_number")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="BE")
    iban = EncryptedIBANField(_("IBAN"), blank=True)
    iban_hash = LookupHashField(source="iban")
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=LANGUAGE_CHOICES, default="fr"
    )
    office = models.ForeignKey(
        Office, verbose_name=_("office"), null=True, blank=True, on_delete=models.PROTECT
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("advisor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="advised_members",
        limit_choices_to={"is_staff": True},
    )
    member_since = models.DateField(_("member since"), null=True, blank=True)
    left_on = models.DateField(
        _("left on"),
        null=True,
        blank=True,
        help_text=_("Resignation, exclusion or death: no longer a member from this day."),
    )
    may_open_units = models.BooleanField(
        _("may open production units"),
        default=False,
        help_text=_("Given to category A members when they are admitted."),
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["last_name", "first_name", "organisation_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["national_number_hash"],
                condition=~models.Q(national_number_hash=""),
                name="member_unique_national_number",
            ),
        ]
        indexes = [models.Index(fields=["office", "last_name"])]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.is_organisation:
            return self.organisation_name
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.is_organisation:
            if self.category != self.Category.C:
                errors["category"] = _("Only category C members can be organisations.")
            if not self.organisation_name:
                errors["organisation_name"] = _("An organisation needs a name.")
        else:
            if not self.first_name:
                errors["first_name"] = _("This field is required.")
            if not self.last_name:
                errors["last_name"] = _("This field is required.")
        if errors:
            raise ValidationError(errors)


# --- Membership: parameters, documents, applications, the share register --------------------

MONEY = {"max_digits": 14, "decimal_places": 2}


class SharePolicy(models.Model):
    """The dated parameters of shares: price, minimum, and the one-share-per-year rule."""

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    share_price = models.DecimalField(_("share price"), **MONEY)
    minimum_shares = models.PositiveIntegerField(_("minimum shares at joining"), default=1)
    one_share_per_year_rule = models.BooleanField(
        _("one share per year of use of the services"),
        default=True,
        help_text=_(
            "When on, a member who used the services last year without the matching number "
            "of shares is asked to subscribe one more."
        ),
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("share policy")
        verbose_name_plural = _("share policies")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share_price__gt=0), name="share_policy_price_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_shares__gte=1), name="share_policy_minimum_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="share_policy_valid_to_after_from",
            ),
        ]

    def __str__(self):
        return f"{self.valid_from} → {self.valid_to or '…'}: {self.share_price} €"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")})
        if self.valid_from:
            others = SharePolicy.objects.exclude(pk=self.pk).filter(
                models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=self.valid_from)
            )
            if self.valid_to:
                others = others.filter(valid_from__lte=self.valid_to)
            if others.exists():
                raise ValidationError(
                    {"valid_from": _("This period overlaps another share policy.")}
                )


class MembershipDocument(models.Model):
    """A version of a document accepted when joining (statutes, internal rules, user contract)."""

    class Kind(models.TextChoices):
        STATUTES = "statutes", _("statutes")
        INTERNAL_RULES = "internal_rules", _("internal rules")
        USER_CONTRACT = "user_contract", _("shared-enterprise user contract")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    version = models.CharField(_("version"), max_length=20)
    title = models.CharField(_("title"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="membership-documents/", blank=True)
    url = models.CharField(
        _("address"), max_length=500, blank=True, help_text=_("Where the text can be read.")
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership document")
        verbose_name_plural = _("membership documents")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="document_unique_version"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.version}"


class MembershipApplication(models.Model):
    """A person's request to join: identity, category, shares subscribed, then a decision."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    class Source(models.TextChoices):
        PORTAL = "portal", _("portal")
        PAPER = "paper", _("received on paper")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="membership_applications",
    )
    email = models.EmailField(_("email address"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    national_number = EncryptedNationalNumberField(_("national register number"))
    national_number_hash = LookupHashField(source="national_number")
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=1, choices=Member.Gender.choices)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="BE")
    iban = EncryptedIBANField(_("IBAN"))
    iban_hash = LookupHashField(source="iban")
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=LANGUAGE_CHOICES, default="fr"
    )
    category = models.CharField(
        _("category requested"), max_length=1, choices=Member.Category.choices
    )
    planned_activity = models.TextField(_("planned activity"), blank=True)
    office = models.ForeignKey(
        Office, verbose_name=_("office"), null=True, blank=True, on_delete=models.PROTECT
    )
    shares = models.PositiveIntegerField(_("shares subscribed"))
    share_price = models.DecimalField(_("share price"), **MONEY)
    structured_reference = models.CharField(
        _("structured reference"), max_length=12, unique=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    submitted_on = models.DateField(
        _("submitted on"), help_text=_("The day the application was made (a letter's date).")
    )
    source = models.CharField(
        _("received through"), max_length=8, choices=Source.choices, default=Source.PORTAL
    )
    paid_amount = models.DecimalField(_("amount received"), default=0, **MONEY)
    paid_on = models.DateField(_("last payment received on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    member = models.OneToOneField(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="application",
    )

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-submitted_at"]),
            models.Index(fields=["national_number_hash"]),
            models.Index(fields=["email"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shares__gte=1), name="application_shares_min"
            ),
            models.CheckConstraint(
                condition=models.Q(paid_amount__gte=0), name="application_paid_not_negative"
            ),
            # Two open applications for one person would make two members: the database
            # refuses it even when both are submitted at the same moment.
            models.UniqueConstraint(
                fields=["national_number_hash"],
                condition=models.Q(status="submitted"),
                name="application_one_open_per_national_number",
            ),
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(status="submitted"),
                name="application_one_open_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.get_status_display()})"

    @property
    def amount_due(self):
        return self.shares * self.share_price


class DocumentAcceptance(AppendOnlyModel):
    """Who accepted which version of a membership document, and when."""

    document = models.ForeignKey(
        MembershipDocument,
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="acceptances",
    )
    application = models.ForeignKey(
        MembershipApplication,
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="acceptances",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="document_acceptances",
    )
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document acceptance")
        verbose_name_plural = _("document acceptances")
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(application__isnull=False) | models.Q(member__isnull=False),
                name="acceptance_has_a_person",
            ),
        ]

    def __str__(self):
        return f"{self.document} {self.accepted_at:%Y-%m-%d %H:%M}"


class ShareRegisterEntry(AppendOnlyModel):
    """One operation of the share register. Append-only: a correction is a new entry.

    Each entry carries signed movements, so a member's position at a date is the sum of
    their entries dated on or before it: `shares` (shares held), `amount` (nominal value of
    the shares held, at their subscription price) and `paid_amount` (paid-up capital still
    in the cooperative: payments and transfers in add, transfers out and refunds take away).
    """

    class Operation(models.TextChoices):
        SUBSCRIPTION = "subscription", _("subscription")
        PAYMENT = "payment", _("payment")
        TRANSFER_OUT = "transfer_out", _("transfer out")
        TRANSFER_IN = "transfer_in", _("transfer in")
        REFUND = "refund", _("refund")
        CATEGORY_CHANGE = "category_change", _("category change")

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="share_entries"
    )
    operation = models.CharField(_("operation"), max_length=20, choices=Operation.choices)
    date = models.DateField(_("effective date"))
    shares = models.IntegerField(_("shares"), default=0)
    unit_price = models.DecimalField(_("unit price"), default=0, **MONEY)
    amount = models.DecimalField(_("nominal amount"), default=0, **MONEY)
    paid_amount = models.DecimalField(_("paid-up amount"), default=0, **MONEY)
    category = models.CharField(
        _("category"),
        max_length=1,
        choices=Member.Category.choices,
        help_text=_("The member's category after this operation."),
    )
    structured_reference = models.CharField(
        _("structured reference"), max_length=12, blank=True, db_index=True
    )
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    counterparty = models.ForeignKey(
        Member,
        verbose_name=_("other member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    related_entry = models.ForeignKey(
        "self",
        verbose_name=_("related entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The subscription a payment pays, or the transfer out of a transfer in."),
    )
    bank_reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("share register entry")
        verbose_name_plural = _("share register")
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["member", "date", "id"]),
            models.Index(fields=["date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(operation="subscription", shares__gt=0, amount__gt=0, paid_amount=0)
                    | models.Q(operation="payment", shares=0, amount=0, paid_amount__gt=0)
                    | models.Q(
                        operation="transfer_out",
                        shares__lt=0,
                        amount__lt=0,
                        paid_amount=models.F("amount"),
                    )
                    | models.Q(
                        operation="transfer_in",
                        shares__gt=0,
                        amount__gt=0,
                        paid_amount=models.F("amount"),
                    )
                    | models.Q(operation="refund", shares__lt=0, amount__lt=0, paid_amount__lte=0)
                    | models.Q(operation="category_change", shares=0, amount=0, paid_amount=0)
                ),
                name="share_entry_signs_match_operation",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.get_operation_display()} {self.shares:+d}"

    @property
    def refund(self):
        """The amount paid back by a refund entry (positive)."""
        return -self.paid_amount if self.operation == self.Operation.REFUND else 0


class MemberExit(models.Model):
    """How and when a member left: resignation, exclusion (board) or death.

    A resignation asked for in the portal waits here (requested) until an advisor records it.
    """

    class Kind(models.TextChoices):
        RESIGNATION = "resignation", _("resignation")
        EXCLUSION = "exclusion", _("exclusion")
        DEATH = "death", _("death")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        RECORDED = "recorded", _("recorded")

    member = models.OneToOneField(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="exit"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refund_entry = models.OneToOneField(
        ShareRegisterEntry,
        verbose_name=_("refund entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("member exit")
        verbose_name_plural = _("member exits")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.member} — {self.get_kind_display()}"


class RefundPayout(models.Model):
    """Money the cooperative owes back (shares refunded, an application's payment returned),
    waiting to be paid by a credit transfer (pain.001)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        PAID = "paid", _("paid")

    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refund_payouts",
    )
    application = models.ForeignKey(
        MembershipApplication,
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refund_payouts",
    )
    entry = models.OneToOneField(
        ShareRegisterEntry,
        verbose_name=_("register entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payout",
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    beneficiary = models.CharField(_("beneficiary"), max_length=200)
    iban = EncryptedIBANField(_("IBAN"))
    iban_hash = LookupHashField(source="iban", db_index=True)
    remittance = models.CharField(_("remittance information"), max_length=140)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund payout")
        verbose_name_plural = _("refund payouts")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(status="pending", paid_on__isnull=True)
                | models.Q(status="paid", paid_on__isnull=False),
                name="payout_paid_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.beneficiary} {self.amount} € ({self.get_status_display()})"


class ShareCertificate(models.Model):
    """A share certificate as the register stood on a date; the PDF is rendered by a task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        READY = "ready", _("ready")

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="certificates"
    )
    as_of = models.DateField(_("as of"))
    shares = models.PositiveIntegerField(_("shares held"))
    nominal_amount = models.DecimalField(_("nominal amount"), **MONEY)
    paid_up_amount = models.DecimalField(_("paid-up amount"), **MONEY)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    pdf = models.FileField(_("PDF"), upload_to="share-certificates/%Y/", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("share certificate")
        verbose_name_plural = _("share certificates")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.member} — {self.as_of}"


class ShareTransferRequest(models.Model):
    """A member (or an advisor for them) asks to transfer fully paid shares to another member;
    the board approves it (both sides then go to the register) or refuses it with a reason.
    Written by members.transfer_services only."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")
        CANCELLED = "cancelled", _("cancelled")

    from_member = models.ForeignKey(
        Member,
        verbose_name=_("from member"),
        on_delete=models.PROTECT,
        related_name="transfer_requests_out",
    )
    to_member = models.ForeignKey(
        Member,
        verbose_name=_("to member"),
        on_delete=models.PROTECT,
        related_name="transfer_requests_in",
    )
    shares = models.PositiveIntegerField(_("shares"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    transfer_out_entry = models.OneToOneField(
        ShareRegisterEntry,
        verbose_name=_("transfer out entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transfer_in_entry = models.OneToOneField(
        ShareRegisterEntry,
        verbose_name=_("transfer in entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("share transfer request")
        verbose_name_plural = _("share transfer requests")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["status", "requested_at"]),
            models.Index(fields=["from_member", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shares__gt=0), name="transfer_request_shares_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_member=models.F("to_member")),
                name="transfer_request_not_to_self",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        status="approved",
                        transfer_out_entry__isnull=False,
                        transfer_in_entry__isnull=False,
                    )
                    | (
                        ~models.Q(status="approved")
                        & models.Q(transfer_out_entry__isnull=True, transfer_in_entry__isnull=True)
                    )
                ),
                name="transfer_request_entries_when_approved",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused", refusal_reason=""),
                name="transfer_request_refusal_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.from_member} → {self.to_member}: {self.shares} ({self.get_status_display()})"


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox): only its SHA-512 digest is stored, it expires, and its
    owner names, lists and revokes it in the portal (settings.KNOX_TOKEN_MODEL)."""

    name = models.CharField(_("name"), max_length=100, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name or _('API token')} ({self.user})"
