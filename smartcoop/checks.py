from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    if not settings.SECRET_KEY_FROM_ENV:
        return [
            Error(
                "SECRET_KEY is not set in the environment: the development key is in use.",
                hint="Set SECRET_KEY to a long random value.",
                id="smartcoop.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def staff_mfa_required(app_configs, **kwargs):
    if not settings.SMARTCOOP_STAFF_MFA_REQUIRED:
        return [
            Error(
                "SMARTCOOP_STAFF_MFA_REQUIRED is off: staff reach the back-office without MFA.",
                hint="Only the local demo may turn it off.",
                id="smartcoop.E002",
            )
        ]
    return []
