from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


def _revoke_api_tokens(reason):
    def receiver(sender, request=None, user=None, **kwargs):
        # inside: apps.py loads before the models the services import
        from .token_services import api_tokens_revoke_all

        api_tokens_revoke_all(user=user, by=user, reason=reason)

    return receiver


def _factor_deleted(sender, instance, **kwargs):
    # inside: apps.py loads before the models the services import
    from .token_services import api_tokens_revoke_all

    api_tokens_revoke_all(user=instance.user, by=None, reason="second factor removed")


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        # inside: these need the app registry, ready only now
        from core.files import private_file_owner

        from .models import SharePolicy
        from .selectors import share_policies

        share_policies.follow(SharePolicy)

        # The statutes and terms an applicant accepts: for every logged-in account.
        private_file_owner("members.MembershipDocument", lambda request, obj: True)
        private_file_owner("members.ShareCertificate", "members.views.get_own_certificate_or_404")

        # inside: allauth's signal modules import its models
        from allauth.account.signals import password_changed, password_reset, password_set
        from allauth.mfa.signals import authenticator_removed

        # A token must not outlive the credentials that obtained it.
        for signal, reason in (
            (password_changed, "password changed"),
            (password_set, "password set"),
            (password_reset, "password reset"),
            (authenticator_removed, "second factor removed"),
        ):
            signal.connect(
                _revoke_api_tokens(reason),
                weak=False,
                dispatch_uid=f"members.revoke_api_tokens.{reason}",
            )
        # A factor deleted elsewhere than allauth's pages (the admin) sends no allauth signal.
        post_delete.connect(
            _factor_deleted, sender="mfa.Authenticator", dispatch_uid="members.factor_deleted"
        )
