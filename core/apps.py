from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares and that depends on no app (issue 15): the office rule, roles."""

    name = "core"
