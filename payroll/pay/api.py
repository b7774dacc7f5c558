"""The API of a worker's pay: my payslips (list, detail, PDF) and my attestations (list, ask
for one, detail, PDF). Only the logged-in worker's own rows; anyone else's are 404."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from core.api import (
    FileAnswer,
    MoneyField,
    OwnRowsMixin,
    StrictInputSerializer,
    enum_field,
    file_download,
)
from payroll.models import Attestation, Payslip
from payroll.workers.worker_services import worker_of_user

from .attestations import attestation_request
from .payslips import payslip_pdf_render
from .views import my_attestations, my_payslips

AttestationKindField = enum_field("AttestationKindEnum", Attestation.Kind.choices)
AttestationStatusField = enum_field("AttestationStatusEnum", Attestation.Status.choices)


class PayslipOutputSerializer(serializers.ModelSerializer):
    gross = MoneyField()
    employee_social_security = MoneyField()
    taxable = MoneyField()
    withholding = MoneyField()
    net = MoneyField()
    employer_charges = MoneyField()
    advances_paid = MoneyField()
    brought_forward = MoneyField()
    balance_due = MoneyField()
    carried_forward = MoneyField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Payslip
        fields = [
            "id", "period", "days", "hours", "gross", "employee_social_security", "taxable",
            "withholding", "net", "employer_charges", "advances_paid", "brought_forward",
            "balance_due", "carried_forward", "pdf_url",
        ]  # fmt: skip

    def get_pdf_url(self, payslip) -> str:
        return reverse("api:pay-payslip-pdf", kwargs={"payslip_id": payslip.pk})


class PayslipDayOutputSerializer(serializers.Serializer):
    date = serializers.DateField()
    hours = serializers.CharField()
    gross = serializers.CharField()
    employer_charges_rate = serializers.CharField()
    employer_charges = serializers.CharField()
    employee_ss_rate = serializers.CharField()
    employee_ss_base_percent = serializers.CharField()
    employee_social_security = serializers.CharField()


class PayslipContractOutputSerializer(serializers.Serializer):
    reference = serializers.CharField()
    employer = serializers.CharField()
    enterprise_number = serializers.CharField()
    unit = serializers.CharField()
    contract_type = serializers.CharField()
    function = serializers.CharField()
    # The worker category of the employer charges ("": the contract type's flat rate; also
    # for the payslips computed before the categories, whose lines have none).
    worker_category = serializers.CharField(default="")
    gross = serializers.CharField()
    employer_charges = serializers.CharField()
    employee_social_security = serializers.CharField()
    days = PayslipDayOutputSerializer(many=True)


class PayslipArrearsOutputSerializer(PayslipContractOutputSerializer):
    """A contract's days of an earlier month (YYYY-MM), paid as arrears by this payslip."""

    month = serializers.CharField()


class PayslipDetailOutputSerializer(PayslipOutputSerializer):
    contracts = serializers.SerializerMethodField()
    arrears = serializers.SerializerMethodField()
    withholding_rate = serializers.SerializerMethodField()

    class Meta(PayslipOutputSerializer.Meta):
        fields = [*PayslipOutputSerializer.Meta.fields, "withholding_rate", "contracts", "arrears"]

    @extend_schema_field(PayslipContractOutputSerializer(many=True))
    def get_contracts(self, payslip) -> list[dict]:
        rows = [line for line in payslip.lines if line.get("kind") == "contract"]
        return list(PayslipContractOutputSerializer(rows, many=True).data)

    @extend_schema_field(PayslipArrearsOutputSerializer(many=True))
    def get_arrears(self, payslip) -> list[dict]:
        rows = [line for line in payslip.lines if line.get("kind") == "arrears"]
        return list(PayslipArrearsOutputSerializer(rows, many=True).data)

    def get_withholding_rate(self, payslip) -> str:
        for line in payslip.lines:
            if line.get("kind") == "withholding":
                return line["rate"]
        return ""


class AttestationOutputSerializer(serializers.ModelSerializer):
    kind = AttestationKindField()
    status = AttestationStatusField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Attestation
        fields = ["id", "kind", "period_start", "period_end", "status", "created_at", "pdf_url"]

    def get_pdf_url(self, attestation) -> str | None:
        if attestation.status != Attestation.Status.READY:
            return None
        return reverse("api:pay-attestation-pdf", kwargs={"attestation_id": attestation.pk})


class AttestationInputSerializer(StrictInputSerializer):
    """Ask for an attestation. A yearly income summary covers 1 January to 31 December of a
    past year; an employment attestation any past period of up to 10 years back."""

    kind = AttestationKindField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class NotReady(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_ready"


# --- views ----------------------------------------------------------------------------------


class PayslipListApi(generics.ListAPIView):
    """My payslips, newest period first."""

    serializer_class = PayslipOutputSerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        return my_payslips(self.request.user).order_by("-period", "-pk")


class PayslipDetailApi(OwnRowsMixin, generics.RetrieveAPIView):
    """One of my payslips with its contracts and days."""

    serializer_class = PayslipDetailOutputSerializer
    lookup_url_kwarg = "payslip_id"
    parser_classes = [JSONParser]
    rows = staticmethod(my_payslips)


_FILE_ERRORS = {404: OpenApiResponse(description=gettext_lazy("Not one of your documents."))}


@extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **_FILE_ERRORS})
class PayslipPdfApi(OwnRowsMixin, FileAnswer, generics.GenericAPIView):
    """The PDF of one of my payslips (rendered once and kept)."""

    lookup_url_kwarg = "payslip_id"
    parser_classes = [JSONParser]
    rows = staticmethod(my_payslips)

    def get(self, request, payslip_id):
        payslip = payslip_pdf_render(payslip=self.get_object())
        return file_download(payslip.pdf, f"payslip-{payslip.period:%Y-%m}.pdf")


class AttestationListApi(generics.ListAPIView):
    """My attestations, newest first; POST asks for one (rendered in the background: its
    status is pending, then ready with a pdf_url)."""

    serializer_class = AttestationOutputSerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        return my_attestations(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(request=AttestationInputSerializer, responses={201: AttestationOutputSerializer})
    def post(self, request):
        worker = worker_of_user(request.user)
        if worker is None:
            raise exceptions.PermissionDenied(
                _("You have no worker file: attestations are for people the cooperative employs.")
            )
        data = AttestationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attestation = attestation_request(worker=worker, by=request.user, **data.validated_data)
        attestation.refresh_from_db()
        response = Response(
            AttestationOutputSerializer(attestation).data, status=status.HTTP_201_CREATED
        )
        response["Location"] = reverse(
            "api:pay-attestation-detail", kwargs={"attestation_id": attestation.pk}
        )
        return response


class AttestationDetailApi(OwnRowsMixin, generics.RetrieveAPIView):
    """One of my attestations and its status."""

    serializer_class = AttestationOutputSerializer
    lookup_url_kwarg = "attestation_id"
    parser_classes = [JSONParser]
    rows = staticmethod(my_attestations)


@extend_schema(
    responses={
        (200, "application/pdf"): OpenApiTypes.BINARY,
        **_FILE_ERRORS,
        409: OpenApiResponse(description=gettext_lazy("The attestation is not ready yet.")),
    }
)
class AttestationPdfApi(OwnRowsMixin, FileAnswer, generics.GenericAPIView):
    """The PDF of one of my attestations, once ready (409 while being prepared)."""

    lookup_url_kwarg = "attestation_id"
    parser_classes = [JSONParser]
    rows = staticmethod(my_attestations)

    def get(self, request, attestation_id):
        attestation = self.get_object()
        if attestation.status != Attestation.Status.READY or not attestation.pdf:
            raise NotReady(_("This attestation is not ready yet: try again in a moment."))
        name = f"attestation-{attestation.kind}-{attestation.period_start:%Y-%m-%d}.pdf"
        return file_download(attestation.pdf, name)
