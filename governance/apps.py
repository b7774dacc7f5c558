from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        # Inside ready(): the tasks import the models, which need the app registry loaded.
        from . import signals, tasks
        from .models import GeneralAssembly
        from .selectors import voting_windows

        voting_windows.follow(GeneralAssembly)

        signals.assembly_convened.connect(
            tasks.convocations_after_commit, dispatch_uid="governance.convocations"
        )
        signals.assembly_counted.connect(
            tasks.minutes_after_commit, dispatch_uid="governance.minutes"
        )
