"""The API of members: obtain an API token, and read my own member profile."""

import hashlib

from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, throttling
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.validators import mask_iban, mask_national_number

from .token_services import api_token_check_second_factor, api_token_create


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
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=16,
        help_text=gettext_lazy(
            "The code of your authenticator app: required for staff and for accounts with "
            "two-factor authentication."
        ),
    )
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=gettext_lazy("A name for the token, shown in the portal's list."),
    )


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy("Shown once: only its digest is stored. Send it as `Token …`."),
    )
    expiry = serializers.DateTimeField(read_only=True)


class TokenObtainApi(generics.GenericAPIView):
    """Exchange an email and password for a new API token (send it as `Authorization: Token …`).

    Each call creates a new token that expires after API_TOKEN_TTL_DAYS days (90 by default);
    list and revoke them in the portal. Accounts with two-factor authentication, and every
    staff account, must also send the code of their authenticator app (`otp`), unless the
    same browser session already passed the second factor.
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
        api_token_check_second_factor(
            user=user, request=request._request, otp=data.validated_data.get("otp", "")
        )
        token, clear = api_token_create(
            user=user, name=data.validated_data.get("name", ""), via="api"
        )
        return Response(TokenOutputSerializer({"token": clear, "expiry": token.expiry}).data)


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
        help_text=gettext_lazy("Masked: only the two check digits are shown.")
    )
    birth_date = serializers.DateField(read_only=True, allow_null=True)
    street = serializers.CharField(read_only=True)
    postal_code = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    iban = serializers.SerializerMethodField(
        help_text=gettext_lazy("Masked: the country code and the last four characters.")
    )
    preferred_language = serializers.CharField(read_only=True)
    office = serializers.CharField(source="office.name", read_only=True, allow_null=True)
    member_since = serializers.DateField(read_only=True, allow_null=True)

    def get_national_number(self, member) -> str:
        return mask_national_number(member.national_number)

    def get_iban(self, member) -> str:
        return mask_iban(member.iban)


class MeApi(generics.GenericAPIView):
    """My member profile (the national register number is masked)."""

    serializer_class = MemberOutputSerializer

    def get(self, request):
        member = getattr(request.user, "member", None)
        if member is None:
            raise NotFound(_("You have no member profile."))
        return Response(MemberOutputSerializer(member).data)
