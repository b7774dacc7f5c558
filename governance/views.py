"""Portal pages of general assemblies: the list, an assembly (agenda, documents, my vote, my
proxies, results), the ballot, proxies, the minutes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import member_of, member_required
from core.roles import is_board

from .forms import BallotForm, ProxyGiveForm, ReceiptCheckForm
from .models import AgendaDocument, GeneralAssembly, Participation, Proxy
from .selectors import (
    assemblies_for_members,
    participation_figures,
    proxies_of,
    receipts_published,
    results_by_item,
)
from .services import voting
from .services.proxies import proxy_answer, proxy_cancel, proxy_give

Status = GeneralAssembly.Status


def _assembly_or_404(pk) -> GeneralAssembly:
    assembly = get_object_or_404(assemblies_for_members(), pk=pk)
    voting.assembly_sync_status(assembly=assembly)
    return assembly


@member_required
def assembly_list(request):
    today = timezone.localdate()
    assemblies = list(assemblies_for_members()[:50])
    upcoming = [a for a in assemblies if a.status != Status.PUBLISHED and a.date >= today]
    past = [a for a in assemblies if a not in upcoming]
    return render(
        request,
        "governance/assembly_list.html",
        {"upcoming": upcoming, "past": past, "is_board": is_board(request.user)},
    )


@member_required
def assembly_detail(request, pk):
    assembly = _assembly_or_404(pk)
    member = member_of(request.user)
    eligibility = voting.eligibility(assembly=assembly, member=member)
    given, held = proxies_of(assembly=assembly, member=member)
    check_form = ReceiptCheckForm(request.GET or None)
    receipt_found = None
    if assembly.status == Status.PUBLISHED and check_form.is_valid():
        code = check_form.cleaned_data["receipt"].strip().lower()
        receipt_found = receipts_published(assembly).filter(receipt=code).exists()
    context = {
        "assembly": assembly,
        "member": member,
        "eligibility": eligibility,
        "participation": Participation.objects.filter(assembly=assembly, member=member).first(),
        "given": given,
        "held": held,
        "can_give_proxy": eligibility.can_vote and not any(p.status in Proxy.ACTIVE for p in given),
        "proxy_form": ProxyGiveForm(),
        "items": results_by_item(assembly),
        "published": assembly.status == Status.PUBLISHED,
        "check_form": check_form,
        "receipt_found": receipt_found,
        "receipt_count": receipts_published(assembly).count(),
    }
    if is_board(request.user) and assembly.status != Status.DRAFT:
        context["figures"] = participation_figures(assembly=assembly)
    return render(request, "governance/assembly_detail.html", context)


@member_required
def assembly_vote(request, pk):
    """The ballot: for the member, or (?for=<member id>) for the giver of a validated proxy."""
    assembly = _assembly_or_404(pk)
    voter = member_of(request.user)
    represented = None
    if request.GET.get("for") or request.POST.get("for"):
        raw = request.POST.get("for") or request.GET.get("for")
        proxy = (
            Proxy.objects.filter(
                assembly=assembly,
                holder=voter,
                giver_id=raw if str(raw).isdigit() else None,
                status=Proxy.Status.VALIDATED,
            )
            .select_related("giver")
            .first()
        )
        if proxy is None:
            raise Http404
        represented = proxy.giver
    eligibility = voting.eligibility(assembly=assembly, member=represented or voter)
    form = BallotForm(request.POST or None, assembly=assembly)
    if request.method == "POST" and eligibility.can_vote and form.is_valid():
        try:
            cast = voting.ballot_cast(
                assembly=assembly, voter=voter, choices=form.choices(), for_member=represented
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            # The receipt is shown once here and e-mailed: it is not kept with the voter's
            # session or account, which would link them to their ballot.
            return render(
                request,
                "governance/receipt.html",
                {"assembly": assembly, "receipt": cast.receipt, "represented": represented},
            )
    status = 200 if request.method == "GET" or form.is_valid() else 400
    if request.method == "POST" and not eligibility.can_vote:
        status = 409
    return render(
        request,
        "governance/ballot.html",
        {
            "assembly": assembly,
            "form": form,
            "eligibility": eligibility,
            "represented": represented,
        },
        status=status,
    )


@member_required
@require_POST
def assembly_proxy_give(request, pk):
    assembly = _assembly_or_404(pk)
    member = member_of(request.user)
    form = ProxyGiveForm(request.POST)
    if form.is_valid():
        try:
            proxy_give(assembly=assembly, giver=member, holder=form.holder)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Proxy given: the member must accept it, then an advisor validates it.")
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("portal:assembly_detail", pk=assembly.pk)


def _own_proxy(request, pk, *, as_holder: bool) -> Proxy:
    member = member_of(request.user)
    lookup = {"holder": member} if as_holder else {"giver": member}
    return get_object_or_404(Proxy.objects.select_related("assembly"), pk=pk, **lookup)


@member_required
@require_POST
def proxy_answer_view(request, pk):
    proxy = _own_proxy(request, pk, as_holder=True)
    accept = request.POST.get("answer") == "accept"
    try:
        proxy_answer(proxy=proxy, holder=member_of(request.user), accept=accept)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Proxy accepted: an advisor validates it.") if accept else _("Proxy declined."),
        )
    return redirect("portal:assembly_detail", pk=proxy.assembly_id)


@member_required
def proxy_cancel_view(request, pk):
    proxy = _own_proxy(request, pk, as_holder=False)
    if request.method == "POST":
        try:
            proxy_cancel(proxy=proxy, giver=member_of(request.user))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Proxy cancelled: you can vote yourself."))
        return redirect("portal:assembly_detail", pk=proxy.assembly_id)
    return render(request, "governance/proxy_cancel.html", {"proxy": proxy})


@member_required
def assembly_document(request, pk, document_pk):
    assembly = _assembly_or_404(pk)
    document = get_object_or_404(AgendaDocument, pk=document_pk, item__assembly=assembly)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=False,
        filename=document.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


@member_required
def assembly_minutes(request, pk):
    assembly = _assembly_or_404(pk)
    if assembly.status != Status.PUBLISHED or not assembly.minutes_pdf:
        raise Http404
    return FileResponse(
        assembly.minutes_pdf.open("rb"),
        content_type="application/pdf",
        filename=f"minutes-{assembly.pk}.pdf",
    )
