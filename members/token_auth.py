"""The API's token authentication: django-rest-knox, plus when each token was last used."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication

# At most one write per token and minute for its "last used" time.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <token>`: hashed, expiring tokens (members.ApiToken)."""

    def validate_user(self, auth_token):
        user, auth_token = super().validate_user(auth_token)
        now = timezone.now()
        if auth_token.last_used_at is None or now - auth_token.last_used_at > LAST_USED_PRECISION:
            type(auth_token).objects.filter(pk=auth_token.pk).update(last_used_at=now)
            auth_token.last_used_at = now
        return user, auth_token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The scheme in the OpenAPI schema."""

    target_class = "members.token_auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token <token>`, from POST /api/v1/auth/token/ or the portal's API access "
                "page. Tokens expire (API_TOKEN_TTL_DAYS, 90 days by default)."
            ),
        }
