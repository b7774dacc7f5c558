"""The API of work: my 3en1 jobs (with the split preview), my Activité declarations, my
contracts. Serializers check types; every rule is the services', so the API refuses what the
portal refuses, with the same messages (400 naming the field). Decimals are JSON strings.
Receipts of job expenses are uploaded in the portal (JSON carries no files)."""

from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from core.api import (
    MAX_ID,
    DecimalStringField,
    MoneyField,
    NoInputSerializer,
    OwnRowsMixin,
    StrictInputSerializer,
    enum_field,
    no_input,
)
from invoicing.line_input import LineInputSerializer, api_lines
from invoicing.lines import check_lines
from invoicing.parties import OwnClientField, OwnUnitField
from payroll.models import Contract, ContractType, Job, WorkDeclaration, Worker

from .contract_services import contract_accept
from .decision_services import MAX_REASON
from .declaration_services import declaration_cancel, declaration_create, declaration_submit
from .job_services import (
    ExpenseInput,
    job_cancel,
    job_create,
    job_preview,
    job_submit,
    job_update,
)
from .work_days import DayInput

JobStatusField = enum_field("JobStatusEnum", Job.Status.choices)
DeclarationStatusField = enum_field("WorkDeclarationStatusEnum", WorkDeclaration.Status.choices)
ContractStatusField = enum_field("ContractStatusEnum", Contract.Status.choices)


# --- fields ---------------------------------------------------------------------------------


class OwnWorkerField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": _("Worker {pk_value} does not work for your units."),
        "incorrect_type": _("A worker is given by its id (a number), not {data_type}."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Worker.objects.none())
        kwargs.setdefault("pk_field", serializers.IntegerField(min_value=1, max_value=MAX_ID))
        super().__init__(**kwargs)

    def get_queryset(self):
        return Worker.objects.filter(
            units__unit__holder__user=self.context["request"].user
        ).distinct()


class ContractTypeCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", ContractType.objects.all())
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("help_text", _("The contract type's code, e.g. artist-fixed-term."))
        super().__init__(**kwargs)


class DayInputSerializer(StrictInputSerializer):
    date = serializers.DateField()
    hours = DecimalStringField(max_digits=4, decimal_places=2, help_text=_('e.g. "7.5"'))


class ExpenseInputSerializer(StrictInputSerializer):
    description = serializers.CharField(max_length=200, allow_blank=True)
    amount = DecimalStringField(max_digits=12, decimal_places=2, help_text=_('e.g. "80.00"'))


def _place_of_work_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Printed on the contract; empty: the default place."),
    )


def _days(rows) -> list[DayInput]:
    return sorted((DayInput(row["date"], row["hours"]) for row in rows), key=lambda d: d.date)


def _expenses(rows) -> list[ExpenseInput]:
    return [ExpenseInput(row["description"], row["amount"]) for row in rows]


# --- input ----------------------------------------------------------------------------------


# A job's input, created or updated: JobCreateInputSerializer takes the fields of its bases in
# their order (unit and client first). The bases have no docstring, so that the schema
# describes each input as before: with its own docstring, or StrictInputSerializer's.


class _JobUnitInputSerializer(StrictInputSerializer):
    unit = OwnUnitField(help_text=_("Id of one of your 3en1 units."))
    client = OwnClientField(help_text=_("Id of a client of that unit."))


class _JobInputSerializer(StrictInputSerializer):
    description = serializers.CharField(max_length=300)
    worker = OwnWorkerField()
    contract_type = ContractTypeCodeField()
    function = serializers.CharField(max_length=100)
    place_of_work = _place_of_work_field()
    lines = LineInputSerializer(many=True)
    days = DayInputSerializer(many=True)
    expenses = ExpenseInputSerializer(many=True, required=False, default=list)


class JobCreateInputSerializer(_JobUnitInputSerializer, _JobInputSerializer):
    pass


class JobUpdateInputSerializer(_JobInputSerializer):
    """The whole job again (unit and client can't change)."""


class JobSplitInputSerializer(StrictInputSerializer):
    client = OwnClientField(help_text=_("Id of the client (for the VAT rules of the lines)."))
    contract_type = ContractTypeCodeField()
    lines = LineInputSerializer(many=True)
    days = DayInputSerializer(many=True)
    expenses = ExpenseInputSerializer(many=True, required=False, default=list)


class DeclarationCreateInputSerializer(StrictInputSerializer):
    unit = OwnUnitField(help_text=_("Id of one of your Activité units."))
    worker = OwnWorkerField()
    contract_type = ContractTypeCodeField()
    function = serializers.CharField(max_length=100)
    place_of_work = _place_of_work_field()
    gross = DecimalStringField(max_digits=12, decimal_places=2, help_text=_('e.g. "324.70"'))
    days = DayInputSerializer(many=True)


# --- output ---------------------------------------------------------------------------------


class CancelInputSerializer(StrictInputSerializer):
    """Why a draft is cancelled (required)."""

    reason = serializers.CharField(max_length=MAX_REASON, allow_blank=True, trim_whitespace=True)


class PaySerializer(serializers.Serializer):
    """The pay of a declaration (docs/payroll.md §2): its cost and what the worker gets."""

    gross = MoneyField(read_only=True)
    employer_charges = MoneyField(read_only=True)
    employment_cost = MoneyField(read_only=True)
    employment_contribution = MoneyField(read_only=True)
    budget = MoneyField(read_only=True)
    employee_social_security = MoneyField(read_only=True)
    taxable = MoneyField(read_only=True)
    withholding_rate = serializers.CharField(read_only=True)
    withholding = MoneyField(read_only=True)
    net = MoneyField(read_only=True)
    days = serializers.CharField(read_only=True)
    minimum_gross = MoneyField(read_only=True)
    gross_missing = MoneyField(read_only=True)


class SplitSerializer(PaySerializer):
    """Every amount of a job's split (docs/payroll.md §2), as strings: its turnover and
    expenses, and the pay they fund."""

    turnover = MoneyField(read_only=True)
    turnover_rate = serializers.CharField(read_only=True)
    turnover_contribution = MoneyField(read_only=True)
    expenses = MoneyField(read_only=True)
    employment_budget = MoneyField(read_only=True)
    residue = MoneyField(read_only=True)
    missing_turnover = MoneyField(read_only=True)


class DayOutputSerializer(serializers.Serializer):
    date = serializers.DateField(read_only=True)
    hours = serializers.DecimalField(max_digits=4, decimal_places=2, read_only=True)
    gross = MoneyField(read_only=True)


class ExpenseOutputSerializer(serializers.Serializer):
    description = serializers.CharField(read_only=True)
    amount = MoneyField(read_only=True)
    has_receipt = serializers.SerializerMethodField()

    def get_has_receipt(self, expense) -> bool:
        return bool(expense.receipt)


class JobOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = JobStatusField(read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    client = serializers.IntegerField(source="client_id", read_only=True)
    description = serializers.CharField(read_only=True)
    worker = serializers.IntegerField(source="worker_id", read_only=True)
    contract_type = serializers.CharField(source="contract_type.code", read_only=True)
    function = serializers.CharField(read_only=True)
    invoice = serializers.IntegerField(source="invoice_id", read_only=True, allow_null=True)
    turnover = MoneyField(read_only=True)
    expenses = MoneyField(read_only=True)
    split = SplitSerializer(read_only=True, allow_null=True)
    decision_reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)


class JobDetailOutputSerializer(JobOutputSerializer):
    days = serializers.SerializerMethodField()
    expense_lines = ExpenseOutputSerializer(many=True, read_only=True)
    contracts = serializers.SerializerMethodField()

    @extend_schema_field(DayOutputSerializer(many=True))
    def get_days(self, job) -> list[dict]:
        days = job.work_days.filter(cancelled=False).order_by("date")
        return list(DayOutputSerializer(days, many=True).data)

    def get_contracts(self, job) -> list[int]:
        return list(job.contracts.values_list("pk", flat=True))


class DeclarationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = DeclarationStatusField(read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    worker = serializers.IntegerField(source="worker_id", read_only=True)
    contract_type = serializers.CharField(source="contract_type.code", read_only=True)
    function = serializers.CharField(read_only=True)
    gross = MoneyField(read_only=True)
    budget = MoneyField(read_only=True)
    cost = PaySerializer(source="split", read_only=True)
    overdraft_amount = MoneyField(read_only=True)
    decision_reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class ContractOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    status = ContractStatusField(read_only=True)
    employer = serializers.CharField(source="legal_entity.name", read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    worker = serializers.IntegerField(source="worker_id", read_only=True)
    contract_type = serializers.CharField(source="contract_type.code", read_only=True)
    function = serializers.CharField(read_only=True)
    start_date = serializers.DateField(read_only=True)
    end_date = serializers.DateField(read_only=True)
    days = serializers.IntegerField(read_only=True)
    hours = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)
    gross = MoneyField(read_only=True)
    net_estimate = MoneyField(read_only=True)
    job = serializers.IntegerField(source="job_id", read_only=True, allow_null=True)
    declaration = serializers.IntegerField(source="declaration_id", read_only=True, allow_null=True)
    accepted_at = serializers.DateTimeField(read_only=True, allow_null=True)


# --- querysets ------------------------------------------------------------------------------


def jobs_of(user):
    if not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(unit__holder__user=user).select_related("contract_type")


def declarations_of(user):
    if not user.is_authenticated:
        return WorkDeclaration.objects.none()
    return WorkDeclaration.objects.filter(unit__holder__user=user).select_related("contract_type")


def contracts_of(user):
    if not user.is_authenticated:
        return Contract.objects.none()
    return Contract.objects.filter(
        Q(worker__user=user) | Q(unit__holder__user=user)
    ).select_related("contract_type", "legal_entity")


# --- jobs -----------------------------------------------------------------------------------


def _job_response(request, job_id, code=status.HTTP_200_OK) -> Response:
    job = generics.get_object_or_404(jobs_of(request.user), pk=job_id)
    return Response(JobDetailOutputSerializer(job).data, status=code)


class JobListApi(OwnRowsMixin, generics.ListAPIView):
    """My 3en1 jobs, newest first; POST creates a draft job (its draft invoice included)."""

    serializer_class = JobOutputSerializer
    parser_classes = [JSONParser]
    rows = staticmethod(jobs_of)

    @extend_schema(request=JobCreateInputSerializer, responses={201: JobDetailOutputSerializer})
    def post(self, request):
        data = JobCreateInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        job = job_create(
            lines=api_lines(fields.pop("lines")),
            days=_days(fields.pop("days")),
            expenses=_expenses(fields.pop("expenses")),
            by=request.user,
            **fields,
        )
        response = _job_response(request, job.pk, status.HTTP_201_CREATED)
        response["Location"] = reverse("api:job-detail", kwargs={"job_id": job.pk})
        return response


class JobObjectApi(OwnRowsMixin, generics.GenericAPIView):
    serializer_class = JobDetailOutputSerializer
    lookup_url_kwarg = "job_id"
    parser_classes = [JSONParser]
    rows = staticmethod(jobs_of)


class JobDetailApi(JobObjectApi):
    """One of my jobs with its split, days, expenses and contracts; PUT replaces a draft."""

    def get(self, request, job_id):
        return _job_response(request, job_id)

    @extend_schema(request=JobUpdateInputSerializer, responses=JobDetailOutputSerializer)
    def put(self, request, job_id):
        job = self.get_object()
        data = JobUpdateInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        job_update(
            job=job,
            lines=api_lines(fields.pop("lines")),
            days=_days(fields.pop("days")),
            expenses=_expenses(fields.pop("expenses")),
            by=request.user,
            **fields,
        )
        return _job_response(request, job_id)


class JobSubmitApi(JobObjectApi):
    """Submit a draft job: validated at once (verified client, under the approval threshold)
    or queued for an advisor; refused with the turnover missing for the minimum wage."""

    @extend_schema(request=NoInputSerializer, responses=JobDetailOutputSerializer)
    def post(self, request, job_id):
        job = self.get_object()
        no_input(request)
        job_submit(job=job, by=request.user)
        return _job_response(request, job_id)


class JobCancelApi(JobObjectApi):
    """Cancel a draft job (or one sent back): its draft invoice is deleted, its days are
    released; the reason is recorded. A job that is not a draft: 400."""

    @extend_schema(request=CancelInputSerializer, responses=JobDetailOutputSerializer)
    def post(self, request, job_id):
        job = self.get_object()
        data = CancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job_cancel(job=job, by=request.user, reason=data.validated_data["reason"])
        return _job_response(request, job_id)


class JobSplitApi(generics.GenericAPIView):
    """The split of a job as typed (nothing saved): the function validation uses."""

    serializer_class = SplitSerializer
    parser_classes = [JSONParser]

    @extend_schema(request=JobSplitInputSerializer, responses=SplitSerializer)
    def post(self, request):
        data = JobSplitInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        totals = check_lines(api_lines(fields["lines"]), client=fields["client"])
        expenses = sum((row["amount"] for row in fields["expenses"]), Decimal("0.00"))
        split = job_preview(
            turnover=totals.net_total,
            expenses=expenses,
            contract_type=fields["contract_type"],
            days=_days(fields["days"]),
        )
        return Response(split.amounts())


# --- declarations ---------------------------------------------------------------------------


def _declaration_response(request, declaration_id, code=status.HTTP_200_OK) -> Response:
    declaration = generics.get_object_or_404(declarations_of(request.user), pk=declaration_id)
    return Response(DeclarationOutputSerializer(declaration).data, status=code)


class DeclarationListApi(OwnRowsMixin, generics.ListAPIView):
    """My Activité work declarations; POST creates a draft (its cost computed)."""

    serializer_class = DeclarationOutputSerializer
    parser_classes = [JSONParser]
    rows = staticmethod(declarations_of)

    @extend_schema(
        request=DeclarationCreateInputSerializer, responses={201: DeclarationOutputSerializer}
    )
    def post(self, request):
        data = DeclarationCreateInputSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        declaration = declaration_create(days=_days(fields.pop("days")), by=request.user, **fields)
        response = _declaration_response(request, declaration.pk, status.HTTP_201_CREATED)
        response["Location"] = reverse(
            "api:declaration-detail", kwargs={"declaration_id": declaration.pk}
        )
        return response


class DeclarationObjectApi(OwnRowsMixin, generics.GenericAPIView):
    serializer_class = DeclarationOutputSerializer
    lookup_url_kwarg = "declaration_id"
    parser_classes = [JSONParser]
    rows = staticmethod(declarations_of)


class DeclarationDetailApi(DeclarationObjectApi):
    """One of my work declarations with its cost."""

    def get(self, request, declaration_id):
        return _declaration_response(request, declaration_id)


class DeclarationSubmitApi(DeclarationObjectApi):
    """Submit a draft declaration: refused when the available balance can't pay it."""

    @extend_schema(request=NoInputSerializer, responses=DeclarationOutputSerializer)
    def post(self, request, declaration_id):
        declaration = self.get_object()
        no_input(request)
        declaration_submit(declaration=declaration, by=request.user)
        return _declaration_response(request, declaration_id)


class DeclarationCancelApi(DeclarationObjectApi):
    """Cancel a draft declaration: its days are released; the reason is recorded. A
    declaration that is not a draft: 400."""

    @extend_schema(request=CancelInputSerializer, responses=DeclarationOutputSerializer)
    def post(self, request, declaration_id):
        declaration = self.get_object()
        data = CancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        declaration_cancel(
            declaration=declaration, by=request.user, reason=data.validated_data["reason"]
        )
        return _declaration_response(request, declaration_id)


# --- contracts ------------------------------------------------------------------------------


class ContractListApi(OwnRowsMixin, generics.ListAPIView):
    """My contracts (as the worker, or of my units), newest first."""

    serializer_class = ContractOutputSerializer
    rows = staticmethod(contracts_of)


class ContractObjectApi(OwnRowsMixin, generics.GenericAPIView):
    serializer_class = ContractOutputSerializer
    lookup_url_kwarg = "contract_id"
    parser_classes = [JSONParser]
    rows = staticmethod(contracts_of)


class ContractDetailApi(ContractObjectApi):
    """One of my contracts."""

    def get(self, request, contract_id):
        return Response(ContractOutputSerializer(self.get_object()).data)


class ContractAcceptApi(ContractObjectApi):
    """The worker accepts the contract before the work starts (timestamp recorded)."""

    @extend_schema(request=NoInputSerializer, responses=ContractOutputSerializer)
    def post(self, request, contract_id):
        contract = self.get_object()
        no_input(request)
        contract = contract_accept(contract=contract, by=request.user)
        return Response(ContractOutputSerializer(contract).data)
