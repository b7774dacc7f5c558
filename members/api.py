"""The API of members: obtain an API token, and read my own member profile."""

import hashlib

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, throttling
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings

from smartcoop.audit import audit_log
from smartcoop.validators import mask_national_number


class TokenObtainIPThrottle(throttling.SimpleRateThrottle):
    """At most 10 token requests a minute from one address.

    X-Forwarded-For is trusted only when REST_FRAMEWORK["NUM_PROXIES"] says how many proxies
    set it; otherwise anybody could escape the limit by sending a new one each time.
    """

    scope = "auth_token_ip"
    rate = "10/min"

    def get_ident(self, request):
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR", "")
        return super().get_ident(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenObtainAccountThrottle(throttling.SimpleRateThrottle):
    """At most 20 token requests an hour for one account, whatever the address (ASVS V2.2.1)."""

    scope = "auth_token_account"
    rate = "20/hour"

    def get_cache_key(self, request, view):
        get = getattr(request.data, "get", None)
        email = get("email") if get else None
        if not isinstance(email, str) or not email.strip():
            return None
        ident = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class TokenInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


@transaction.atomic
def _api_token_for(user) -> Token:
    """The user's API token, created (and audited) the first time."""
    token, created = Token.objects.get_or_create(user=user)
    if created:
        audit_log(actor=user, action="user.api_token_created", obj=user)
    return token


class TokenObtainApi(generics.GenericAPIView):
    """Exchange an email and password for an API token (send it as `Authorization: Token …`).

    Accounts with two-factor authentication can't get a token by password alone.
    """

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (TokenObtainIPThrottle, TokenObtainAccountThrottle)
    serializer_class = TokenInputSerializer

    @extend_schema(request=TokenInputSerializer, responses=TokenOutputSerializer)
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            email=data.validated_data["email"],
            password=data.validated_data["password"],
        )
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("The email address and/or password are not correct.")]}
            )
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            raise serializers.ValidationError(
                {"email": [_("Confirm your email address before you use the API.")]}
            )
        if Authenticator.objects.filter(user=user).exists():
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        _(
                            "This account uses two-factor authentication: "
                            "it can't get an API token with a password alone."
                        )
                    ]
                }
            )
        return Response(TokenOutputSerializer({"token": _api_token_for(user).key}).data)


class MemberOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True, allow_null=True)
    category = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    organisation_name = serializers.CharField(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    national_number = serializers.SerializerMethodField(
        help_text=gettext_lazy("Masked: only the birth-date part is shown.")
    )
    birth_date = serializers.DateField(read_only=True, allow_null=True)
    street = serializers.CharField(read_only=True)
    postal_code = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    iban = serializers.CharField(read_only=True)
    preferred_language = serializers.CharField(read_only=True)
    office = serializers.CharField(source="office.name", read_only=True, allow_null=True)
    member_since = serializers.DateField(read_only=True, allow_null=True)

    def get_national_number(self, member) -> str:
        return mask_national_number(member.national_number)


class MeApi(generics.GenericAPIView):
    """My member profile (the national register number is masked)."""

    serializer_class = MemberOutputSerializer

    def get(self, request):
        member = getattr(request.user, "member", None)
        if member is None:
            raise NotFound(_("You have no member profile."))
        return Response(MemberOutputSerializer(member).data)
