"""makemessages that also extracts the labels marked with N_ (gettext_noop under a short
name: figure labels stored as codes and translated when shown)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
