"""The minutes of a counted assembly as a PDF: the roll, participation by channel, each item's
result with its rule, the receipts' count and the hashes that let anyone check the vote."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import translation

from core.pdf import render_html_to_pdf
from members.pdf import _cooperative

from .models import GeneralAssembly, ItemResult, Participation
from .selectors import results_by_item


def minutes_html(assembly: GeneralAssembly, language: str = "fr") -> str:
    with translation.override(language):
        channels = dict(Participation.Channel.choices)
        by_channel = [
            (channels[row["channel"]], row["n"])
            for row in Participation.objects.filter(assembly=assembly)
            .values("channel")
            .annotate(n=Count("id"))
            .order_by("channel")
        ]
        return render_to_string(
            "governance/pdf/minutes.html",
            {
                "assembly": assembly,
                "cooperative": _cooperative(),
                "language": language,
                "title": str(translation.gettext("Minutes of the general assembly")),
                "by_channel": by_channel,
                "participated": sum(n for _c, n in by_channel),
                "items": results_by_item(assembly),
                "Outcome": ItemResult.Outcome,
            },
        )


def minutes_render(*, assembly: GeneralAssembly) -> None:
    """Write the minutes PDF once, after the results are published."""
    if assembly.minutes_pdf or assembly.status != GeneralAssembly.Status.PUBLISHED:
        return
    pdf = render_html_to_pdf(minutes_html(assembly))
    with transaction.atomic():
        locked = GeneralAssembly.objects.select_for_update().get(pk=assembly.pk)
        if locked.minutes_pdf:
            return
        locked.minutes_pdf.save(f"minutes-{locked.pk}.pdf", ContentFile(pdf), save=False)
        locked.save(update_fields=["minutes_pdf"])
