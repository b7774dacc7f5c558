"""The members app's models, one module per aggregate: accounts (users, offices, legal
entities, API tokens), people (members), joining (share policy, documents, applications),
register (the share register, certificates, transfers), exits (exits and refunds) and
notifications (what the portal tells an account, the e-mails it switched off).
Django finds the models here; the rest of the code imports them from `members.models`."""

from .accounts import LANGUAGE_CHOICES, ApiToken, EmailUserManager, LegalEntity, Office, User
from .exits import MemberExit, RefundPayout
from .joining import (
    MONEY,
    DocumentAcceptance,
    MembershipApplication,
    MembershipDocument,
    SharePolicy,
)
from .notifications import Notification, NotificationOptOut
from .people import Member, MemberQuerySet
from .register import ShareCertificate, ShareRegisterEntry, ShareTransferRequest

__all__ = [
    "LANGUAGE_CHOICES",
    "MONEY",
    "ApiToken",
    "DocumentAcceptance",
    "EmailUserManager",
    "LegalEntity",
    "Member",
    "MemberExit",
    "MemberQuerySet",
    "MembershipApplication",
    "MembershipDocument",
    "Notification",
    "NotificationOptOut",
    "Office",
    "RefundPayout",
    "ShareCertificate",
    "SharePolicy",
    "ShareRegisterEntry",
    "ShareTransferRequest",
    "User",
]
