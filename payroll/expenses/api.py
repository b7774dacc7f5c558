"""The API of expense claims: my claims (/api/v1/expense-claims/), filing one (multipart, with
the receipt; or JSON for mileage), one claim and its receipt.

Serializers check types only; every rule (deadline, mileage, receipt, balance) is
payroll.expenses.services', so the API refuses exactly what the portal refuses, naming the
field, with the same messages.
"""

from datetime import date

import django_filters
from django.db.models import Q
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.api import (
    MAX_ID,
    DecimalStringField,
    FileAnswer,
    MoneyField,
    OwnRowsMixin,
    StrictInputSerializer,
    enum_field,
)
from payroll.models import ExpenseCategory, ExpenseClaim, Job
from production_units.models import ProductionUnit

from .services import (
    RECEIPT_CONTENT_TYPES,
    claimable_jobs,
    claimable_units,
    claims_of_user,
    expense_claim_submit,
    expense_claimant,
)

ExpenseClaimStatusField = enum_field("ExpenseClaimStatusEnum", ExpenseClaim.Status.choices)


def claims_of(user):
    """The claims this user owns (none for anonymous callers, e.g. the schema generator)."""
    return claims_of_user(user).select_related("unit", "category", "worker", "job")


# --- input ---------------------------------------------------------------------------------


class _OwnRelatedField(serializers.PrimaryKeyRelatedField):
    """An id among what the requesting user may use; any other id is refused the same way,
    so that nobody learns which ids exist."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", self.model.objects.none())
        kwargs.setdefault("pk_field", serializers.IntegerField(min_value=1, max_value=MAX_ID))
        super().__init__(**kwargs)


class ClaimableUnitField(_OwnRelatedField):
    model = ProductionUnit
    default_error_messages = {
        "does_not_exist": gettext_lazy("Unit {pk_value} is not a unit you can claim for."),
        "incorrect_type": gettext_lazy("A unit is given by its id (a number), not {data_type}."),
    }

    def get_queryset(self):
        return claimable_units(self.context["request"].user)


class ClaimableJobField(_OwnRelatedField):
    model = Job
    default_error_messages = {
        "does_not_exist": gettext_lazy("Job {pk_value} is not one of your jobs."),
        "incorrect_type": gettext_lazy("A job is given by its id (a number), not {data_type}."),
    }

    def get_queryset(self):
        return claimable_jobs(self.context["request"].user)


class ExpenseClaimInputSerializer(StrictInputSerializer):
    """A new claim. Send it as multipart/form-data with the receipt file; a mileage claim
    (no receipt) may be JSON. Amounts are strings ("12.50")."""

    unit = ClaimableUnitField(help_text=gettext_lazy("Id of a unit you hold or work for."))
    job = ClaimableJobField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Id of a 3en1 job of that unit: its invoice pays the expense."),
    )
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ExpenseCategory.objects.all(),
        help_text=gettext_lazy("Code of the category, e.g. travel, material, mileage."),
    )
    spent_on = serializers.DateField(help_text=gettext_lazy("Date of the expense."))
    description = serializers.CharField(max_length=200)
    amount = DecimalStringField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=gettext_lazy('VAT included, e.g. "25.00"; computed for mileage.'),
    )
    vat = DecimalStringField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=gettext_lazy('e.g. "4.34"; 0 for mileage.'),
    )
    distance_km = DecimalStringField(
        max_digits=7,
        decimal_places=1,
        required=False,
        allow_null=True,
        help_text=gettext_lazy('Mileage only, e.g. "123.4".'),
    )
    receipt = serializers.FileField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("JPEG, PNG or PDF, up to 10 MB; not needed for mileage."),
    )


# --- output --------------------------------------------------------------------------------


class ExpenseClaimOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = ExpenseClaimStatusField(read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    job = serializers.IntegerField(source="job_id", read_only=True, allow_null=True)
    claimant = serializers.CharField(source="worker", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.label", read_only=True)
    spent_on = serializers.DateField(read_only=True)
    description = serializers.CharField(read_only=True)
    amount = MoneyField(read_only=True, help_text=gettext_lazy("VAT included."))
    vat = MoneyField(read_only=True)
    distance_km = serializers.DecimalField(
        max_digits=7, decimal_places=1, coerce_to_string=True, read_only=True, allow_null=True
    )
    mileage_rate = serializers.DecimalField(
        max_digits=6, decimal_places=4, coerce_to_string=True, read_only=True, allow_null=True
    )
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decision_reason = serializers.CharField(read_only=True)
    receipt_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_receipt_url(self, claim) -> str | None:
        if not claim.receipt:
            return None
        path = reverse("api:expense-claim-receipt", kwargs={"claim_id": claim.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


# --- filters -------------------------------------------------------------------------------


def _my_units(request):
    if request is None or not request.user.is_authenticated:
        return ProductionUnit.objects.none()
    user = request.user
    return ProductionUnit.objects.filter(
        Q(pk__in=claims_of_user(user).values("unit")) | Q(pk__in=claimable_units(user).values("pk"))
    )


class ExpenseClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=ExpenseClaim.Status.choices, label=gettext_lazy("status")
    )
    unit = django_filters.ModelChoiceFilter(queryset=_my_units, label=gettext_lazy("unit id"))
    year = django_filters.NumberFilter(
        method="filter_year", label=gettext_lazy("year of the expense")
    )

    class Meta:
        model = ExpenseClaim
        fields = ["status", "unit", "year"]

    def filter_year(self, queryset, name, value):
        year = int(value)
        if not 1900 <= year <= 9999:
            return queryset.none()
        return queryset.filter(spent_on__gte=date(year, 1, 1), spent_on__lte=date(year, 12, 31))


# --- views ---------------------------------------------------------------------------------


class ExpenseClaimListApi(generics.ListAPIView):
    """My expense claims (those I filed, and those of the units I hold), newest first."""

    serializer_class = ExpenseClaimOutputSerializer
    filterset_class = ExpenseClaimFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return claims_of(self.request.user).order_by("-spent_on", "-id")

    @extend_schema(
        description=(
            "File an expense claim, as multipart/form-data with its receipt (JPEG, PNG or "
            "PDF). A mileage claim needs no receipt: its amount is the distance × the rate "
            "per km in force on the day. Refusals name the field (400)."
        ),
        request={
            "multipart/form-data": ExpenseClaimInputSerializer,
            "application/json": ExpenseClaimInputSerializer,
        },
        responses={201: ExpenseClaimOutputSerializer},
    )
    def post(self, request):
        data = ExpenseClaimInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        worker = expense_claimant(unit=fields["unit"], user=request.user)
        claim = expense_claim_submit(
            unit=fields["unit"],
            worker=worker,
            category=fields["category"],
            spent_on=fields["spent_on"],
            description=fields["description"],
            amount=fields.get("amount"),
            vat=fields.get("vat"),
            distance_km=fields.get("distance_km"),
            receipt=fields.get("receipt"),
            job=fields.get("job"),
            by=request.user,
        )
        claim = self.get_queryset().get(pk=claim.pk)
        body = ExpenseClaimOutputSerializer(claim, context={"request": request}).data
        response = Response(body, status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api:expense-claim-detail", kwargs={"claim_id": claim.pk})
        return response


class ExpenseClaimDetailApi(OwnRowsMixin, generics.RetrieveAPIView):
    """One of my expense claims (404 for anyone else's)."""

    serializer_class = ExpenseClaimOutputSerializer
    lookup_url_kwarg = "claim_id"
    rows = staticmethod(claims_of)


@extend_schema(
    responses={
        (200, "application/octet-stream"): OpenApiTypes.BINARY,
        404: OpenApiResponse(description=gettext_lazy("Not one of your claims, or no receipt.")),
    }
)
class ExpenseClaimReceiptApi(OwnRowsMixin, FileAnswer, generics.GenericAPIView):
    """The receipt of one of my expense claims (JPEG, PNG or PDF)."""

    serializer_class = ExpenseClaimOutputSerializer
    lookup_url_kwarg = "claim_id"
    rows = staticmethod(claims_of)

    def get(self, request, claim_id):
        claim = self.get_object()
        if not claim.receipt:
            raise Http404(_("This claim has no receipt."))
        extension = claim.receipt.name.rsplit(".", 1)[-1].lower()
        try:
            handle = claim.receipt.open("rb")
        except FileNotFoundError as error:
            raise Http404(_("This claim has no receipt.")) from error
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"receipt-{claim.pk}.{extension}",
            content_type=RECEIPT_CONTENT_TYPES.get(extension, "application/octet-stream"),
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
