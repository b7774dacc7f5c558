"""The API of membership: my membership, my shares (with my register entries), my share
certificates (list, request a new one, download the PDF once ready).

Everything here is read-only except asking for a certificate. The share register is never
written through the API: no route accepts PUT, PATCH or DELETE, and the only POST goes
through `certificate_request`, which reads the register and writes no entry.
"""

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from core.api import (
    FileAnswer,
    MoneyField,
    file_download,
)

from .certificate_services import certificate_request
from .models import Member, ShareCertificate, ShareRegisterEntry
from .selectors import member_entries, member_shares


def _enum(component_name: str, choices):
    """A read-only choice field with its own schema component (enum names must not collide)."""

    @extend_schema_field(
        {"type": "string", "enum": [value for value, _label in choices]},
        component_name=component_name,
    )
    class EnumField(serializers.CharField):
        pass

    EnumField.__name__ = f"{component_name}Field"
    return EnumField


MemberCategoryField = _enum("MemberCategoryEnum", Member.Category.choices)
MemberStatusField = _enum("MemberStatusEnum", Member.Status.choices)
RegisterOperationField = _enum("RegisterOperationEnum", ShareRegisterEntry.Operation.choices)
CertificateStatusField = _enum("CertificateStatusEnum", ShareCertificate.Status.choices)


def own_member(request) -> Member:
    """The caller's member profile, or 404 (staff without one, an applicant not yet admitted)."""
    member = getattr(request.user, "member", None) if request.user.is_authenticated else None
    if member is None:
        raise exceptions.NotFound(_("You have no member profile."))
    return member


def _member_or_none(request) -> Member | None:
    if not request.user.is_authenticated:
        return None
    return getattr(request.user, "member", None)


# --- my membership -------------------------------------------------------------------------


class MembershipOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True, allow_null=True)
    display_name = serializers.CharField(read_only=True)
    category = MemberCategoryField(read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    status = MemberStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    member_since = serializers.DateField(read_only=True, allow_null=True)
    left_on = serializers.DateField(read_only=True, allow_null=True)
    office = serializers.CharField(source="office.name", read_only=True, allow_null=True)
    office_code = serializers.CharField(source="office.code", read_only=True, allow_null=True)
    may_open_units = serializers.BooleanField(read_only=True)


class MembershipApi(generics.GenericAPIView):
    """My membership: member number, category, status, member since, office."""

    serializer_class = MembershipOutputSerializer

    @extend_schema(
        responses={
            200: MembershipOutputSerializer,
            404: OpenApiResponse(description=gettext_lazy("No member profile.")),
        }
    )
    def get(self, request):
        return Response(MembershipOutputSerializer(own_member(request)).data)


# --- my shares -----------------------------------------------------------------------------


class RegisterEntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True)
    operation = RegisterOperationField(read_only=True)
    operation_label = serializers.CharField(source="get_operation_display", read_only=True)
    shares = serializers.IntegerField(read_only=True)
    unit_price = MoneyField(read_only=True)
    amount = MoneyField(read_only=True, help_text=gettext_lazy("Nominal value moved."))
    paid_amount = MoneyField(
        read_only=True, help_text=gettext_lazy("Paid-up capital moved (refunds are negative).")
    )
    category = MemberCategoryField(read_only=True)
    structured_reference = serializers.CharField(read_only=True)
    decision_reference = serializers.CharField(read_only=True)
    other_member = serializers.SerializerMethodField()
    note = serializers.CharField(read_only=True)

    def get_other_member(self, entry) -> str | None:
        # The other side of a transfer: a name on the member's own register, nothing more.
        return entry.counterparty.display_name if entry.counterparty_id else None


class SharesOutputSerializer(serializers.Serializer):
    as_of = serializers.DateField(read_only=True, allow_null=True)
    held = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Shares held."))
    nominal = MoneyField(read_only=True, help_text=gettext_lazy("Value of the shares held."))
    paid_up = MoneyField(read_only=True, help_text=gettext_lazy("Everything paid for shares."))
    refunded = MoneyField(read_only=True)
    paid_up_not_refunded = MoneyField(read_only=True)
    unpaid = MoneyField(read_only=True, help_text=gettext_lazy("Still to pay."))
    fully_paid_shares = serializers.IntegerField(read_only=True)
    shares_refunded = serializers.IntegerField(read_only=True)
    entries = RegisterEntryOutputSerializer(many=True, read_only=True)


class SharesQuerySerializer(serializers.Serializer):
    at = serializers.DateField(
        required=False, help_text=gettext_lazy("The position at the end of this day (today).")
    )


class MySharesApi(generics.GenericAPIView):
    """My shares: held, paid up, refunded, and my register entries, as they stood at the end
    of a date (`?at=YYYY-MM-DD`, all entries by default)."""

    serializer_class = SharesOutputSerializer

    @extend_schema(
        parameters=[SharesQuerySerializer],
        responses={
            200: SharesOutputSerializer,
            404: OpenApiResponse(description=gettext_lazy("No member profile.")),
        },
    )
    def get(self, request):
        member = own_member(request)
        query = SharesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        at: date | None = query.validated_data.get("at")
        position = member_shares(member=member, at=at)
        data = {
            "as_of": at,
            "held": position.held,
            "nominal": position.nominal,
            "paid_up": position.paid_up,
            "refunded": position.refunded,
            "paid_up_not_refunded": position.refundable,
            "unpaid": position.unpaid,
            "fully_paid_shares": position.fully_paid_shares,
            "shares_refunded": position.shares_refunded,
            "entries": list(member_entries(member=member, at=at)),
        }
        return Response(SharesOutputSerializer(data).data)


# --- my certificates -----------------------------------------------------------------------


class CertificateOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    as_of = serializers.DateField(read_only=True)
    shares = serializers.IntegerField(read_only=True)
    nominal_amount = MoneyField(read_only=True)
    paid_up_amount = MoneyField(read_only=True)
    language = serializers.CharField(read_only=True)
    status = CertificateStatusField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    pdf_url = serializers.SerializerMethodField(
        help_text=gettext_lazy("Where to download the PDF, once ready.")
    )

    def get_pdf_url(self, certificate) -> str | None:
        if certificate.status != ShareCertificate.Status.READY:
            return None
        path = reverse("api:my-certificate-pdf", kwargs={"certificate_id": certificate.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CertificateRequestSerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False,
        help_text=gettext_lazy("The certificate shows the shares held on this day (today)."),
    )

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data or {}) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return attrs


class MyCertificateListApi(generics.ListAPIView):
    """My share certificates, newest first; POST asks for a new one (the PDF is prepared in
    the background: its `status` becomes `ready` and `pdf_url` appears)."""

    serializer_class = CertificateOutputSerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        member = _member_or_none(self.request)
        if member is None:
            return ShareCertificate.objects.none()
        return ShareCertificate.objects.filter(member=member).order_by("-created_at", "-id")

    @extend_schema(
        request=CertificateRequestSerializer,
        responses={
            201: CertificateOutputSerializer,
            400: OpenApiResponse(description=gettext_lazy("No share held on that date.")),
            404: OpenApiResponse(description=gettext_lazy("No member profile.")),
        },
    )
    def post(self, request):
        member = own_member(request)
        data = CertificateRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = certificate_request(
            member=member, by=request.user, as_of=data.validated_data.get("as_of")
        )
        output = CertificateOutputSerializer(certificate, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)


class CertificateNotReady(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_ready"


@extend_schema(
    responses={
        (200, "application/pdf"): OpenApiTypes.BINARY,
        404: OpenApiResponse(description=gettext_lazy("Not one of your certificates.")),
        409: OpenApiResponse(description=gettext_lazy("The PDF is still being prepared.")),
    }
)
class MyCertificatePdfApi(FileAnswer, generics.GenericAPIView):
    """The PDF of one of my share certificates (409 while it is being prepared)."""

    lookup_url_kwarg = "certificate_id"
    serializer_class = CertificateOutputSerializer

    def get_queryset(self):
        member = _member_or_none(self.request)
        if member is None:
            return ShareCertificate.objects.none()
        return ShareCertificate.objects.filter(member=member)

    def get(self, request, certificate_id):
        certificate = self.get_object()
        if certificate.status != ShareCertificate.Status.READY or not certificate.pdf:
            raise CertificateNotReady(_("The certificate is still being prepared."))
        return file_download(certificate.pdf, f"certificate-{certificate.as_of.isoformat()}.pdf")
