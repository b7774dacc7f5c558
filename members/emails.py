"""E-mails telling a member (or an applicant) about a decision: an application approved or
refused, a share transfer approved or refused by the board, a resignation or an exclusion
recorded. Each is a subject and a body template under templates/members/email/, rendered in
the person's language, and sent once the transaction that recorded the decision commits
(nothing is sent for a decision rolled back).
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

TEMPLATES = "members/email/"


def email_language(code: str) -> str:
    """The person's language when the site speaks it, the site's otherwise."""
    if code in {language for language, _name in settings.LANGUAGES}:
        return code
    return settings.LANGUAGE_CODE


def decision_email(
    *, template: str, to: str, language: str, context: dict, folder: str = TEMPLATES
) -> EmailMessage:
    """`template`_subject.txt and `template`.txt (under `folder`) rendered in `language`."""
    with translation.override(email_language(language)):
        subject = render_to_string(f"{folder}{template}_subject.txt", context)
        body = render_to_string(f"{folder}{template}.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[to])


def send_on_commit(
    *, template: str, to: str, language: str, context: dict, folder: str = TEMPLATES
) -> None:
    """Send the e-mail once the current transaction commits (nothing when `to` is empty)."""
    if not to:
        return
    transaction.on_commit(
        lambda: decision_email(
            template=template, to=to, language=language, context=context, folder=folder
        ).send(),
        robust=True,
    )


def member_address(member) -> str:
    """A member's e-mail address: their account's ('' without an account)."""
    user = member.user if member.user_id else None
    return (getattr(user, "email", "") or "").strip()
