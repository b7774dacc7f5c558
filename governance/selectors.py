"""Reads of assemblies shared by the portal, the back-office, the API and the minutes."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from members.models import Member

from .models import AgendaItem, GeneralAssembly, ItemResult, Proxy

Status = GeneralAssembly.Status


def assemblies_for_members() -> QuerySet[GeneralAssembly]:
    """Assemblies members see: every one that is convened (drafts are the board's)."""
    return GeneralAssembly.objects.exclude(status=Status.DRAFT).order_by("-date", "-id")


@dataclass
class ItemWithResults:
    item: AgendaItem
    results: list = field(default_factory=list)

    @property
    def result(self):
        return self.results[0] if self.results else None


def results_by_item(assembly: GeneralAssembly) -> list[ItemWithResults]:
    """The agenda with its frozen results: empty lists until the results are published."""
    published = assembly.status == Status.PUBLISHED
    results: dict = {}
    if published:
        for result in ItemResult.objects.filter(item__assembly=assembly).select_related(
            "candidate__member"
        ):
            results.setdefault(result.item_id, []).append(result)
    return [
        ItemWithResults(item=item, results=results.get(item.pk, []))
        for item in assembly.items.prefetch_related("documents", "candidates__member")
    ]


def receipts_published(assembly: GeneralAssembly) -> QuerySet:
    """The receipt codes of every ballot counted online, in alphabetical order (not casting
    order), once the results are published."""
    if assembly.status != Status.PUBLISHED:
        return assembly.encrypted_ballots.none().values_list("receipt", flat=True)
    return assembly.encrypted_ballots.order_by("receipt").values_list("receipt", flat=True)


def proxies_of(*, assembly: GeneralAssembly, member: Member) -> tuple[list, list]:
    """(proxies the member gave, proxies given to the member) at this assembly."""
    given = list(
        Proxy.objects.filter(assembly=assembly, giver=member)
        .select_related("holder")
        .order_by("-given_at")
    )
    held = list(
        Proxy.objects.filter(assembly=assembly, holder=member)
        .select_related("giver")
        .order_by("-given_at")
    )
    return given, held
