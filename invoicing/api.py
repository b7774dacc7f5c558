"""The API of invoicing: a member's own clients (/api/v1/clients/).

Serializers check types only; every rule (identifiers, Belgian enterprise number, verified
clients) is the model's or the service's, so the API refuses exactly what the portal refuses.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from core.api import (
    AtLeastOneFieldMixin,
    OwnRowsMixin,
)
from production_units.models import ProductionUnit

from .models import Client
from .parties import OwnUnitField
from .services import client_create, client_delete, client_update


def clients_of(user):
    """The clients of this user's units; `my_units` lists only the units this user holds."""
    if not user.is_authenticated:  # e.g. the schema generator
        return Client.objects.none()
    return Client.objects.of_member_user(user).prefetch_related(
        Prefetch("units", queryset=ProductionUnit.objects.held_by(user), to_attr="my_units")
    )


class ClientInputSerializer(AtLeastOneFieldMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=Client.Kind.choices)
    name = serializers.CharField()
    country = serializers.CharField(required=False, help_text=_("ISO code, e.g. BE, FR, US"))
    enterprise_number = serializers.CharField(required=False, allow_blank=True)
    vat_number = serializers.CharField(required=False, allow_blank=True)
    street = serializers.CharField()
    postal_code = serializers.CharField()
    city = serializers.CharField()
    email = serializers.CharField(required=False, allow_blank=True)
    peppol_endpoint = serializers.CharField(required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=settings.DOCUMENT_LANGUAGES,
        required=False,
        allow_blank=True,
        help_text=_("fr, nl, en or de; empty: guessed from the country and postal code."),
    )
    units = OwnUnitField(many=True, help_text=_("Ids of your units that invoice this client."))


class ClientOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=Client.Kind.choices, read_only=True)
    name = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    enterprise_number = serializers.CharField(read_only=True)
    vat_number = serializers.CharField(read_only=True)
    street = serializers.CharField(read_only=True)
    postal_code = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True)
    peppol_endpoint = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)
    units = serializers.SerializerMethodField()
    is_verified = serializers.BooleanField(read_only=True)
    verified_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_units(self, client) -> list[int]:
        return [unit.pk for unit in client.my_units]


class ClientListApi(OwnRowsMixin, generics.ListAPIView):
    """My clients; create one attached to some of my units."""

    serializer_class = ClientOutputSerializer
    rows = staticmethod(clients_of)

    @extend_schema(request=ClientInputSerializer, responses={201: ClientOutputSerializer})
    def post(self, request):
        data = ClientInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        client = client_create(by=request.user, **data.validated_data)
        client = self.get_queryset().get(pk=client.pk)
        return Response(ClientOutputSerializer(client).data, status=status.HTTP_201_CREATED)


class ClientDetailApi(OwnRowsMixin, generics.GenericAPIView):
    """One of my clients: read it, change it while unverified, delete it while unverified."""

    serializer_class = ClientOutputSerializer
    lookup_url_kwarg = "client_id"
    rows = staticmethod(clients_of)

    def get(self, request, client_id):
        return Response(ClientOutputSerializer(self.get_object()).data)

    @extend_schema(request=ClientInputSerializer, responses=ClientOutputSerializer)
    def put(self, request, client_id):
        return self._update(request, partial=False)

    @extend_schema(request=ClientInputSerializer, responses=ClientOutputSerializer)
    def patch(self, request, client_id):
        return self._update(request, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request, client_id):
        client_delete(client=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request, *, partial):
        client = self.get_object()
        data = ClientInputSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        data.is_valid(raise_exception=True)
        client_update(client=client, by=request.user, **data.validated_data)
        return Response(ClientOutputSerializer(self.get_object()).data)
