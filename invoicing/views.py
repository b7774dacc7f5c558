"""Portal pages of a member's clients: list, create, detail with history, edit."""

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.audit import audit_trail
from core.audit_labels import history_row
from core.forms import add_service_errors
from core.permissions import member_required
from production_units.models import ProductionUnit

from .forms import ClientFilterForm, ClientForm
from .models import Client
from .permissions import get_own_client_or_404
from .services import client_create, client_update

CLIENT_PAGE_SIZE = 25


def _my_units(user):
    return Prefetch(
        "units", queryset=ProductionUnit.objects.held_by(user).order_by("code"), to_attr="my_units"
    )


@member_required
def client_list(request):
    form = ClientFilterForm(request.GET or None)
    clients = Client.objects.of_member_user(request.user).prefetch_related(_my_units(request.user))
    status = 200
    if form.is_bound:
        if form.is_valid():
            clients = form.filter(clients)
        else:
            status = 400
    page = Paginator(clients, CLIENT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/client_list.html", {"form": form, "page": page}, status=status)


@member_required
def client_new(request):
    form = ClientForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                client = client_create(
                    by=request.user, units=form.cleaned_data["units"], **form.service_fields()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Client added. Your advisor will verify it before you invoice it.")
                )
                return redirect("portal:client_detail", pk=client.pk)
        return render(request, "portal/client_form.html", {"form": form}, status=400)
    return render(request, "portal/client_form.html", {"form": form})


@member_required
def client_detail(request, pk):
    client = get_own_client_or_404(request, pk)
    context = {
        "client": client,
        "my_units": ProductionUnit.objects.held_by(request.user).filter(clients=client),
        "history": _history(client, request.user),
    }
    return render(request, "portal/client_detail.html", context)


@member_required
def client_edit(request, pk):
    client = get_own_client_or_404(request, pk)
    if client.is_verified:
        # Only an advisor may change a verified client: show it, explain, change nothing.
        context = {
            "client": client,
            "my_units": ProductionUnit.objects.held_by(request.user).filter(clients=client),
        }
        status = 403 if request.method == "POST" else 200
        return render(request, "portal/client_readonly.html", context, status=status)
    form = ClientForm(request.POST or None, user=request.user, client=client)
    if request.method == "POST":
        if form.is_valid():
            try:
                client_update(
                    client=client,
                    by=request.user,
                    units=form.cleaned_data["units"],
                    **form.service_fields(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Client updated."))
                return redirect("portal:client_detail", pk=client.pk)
        return render(
            request, "portal/client_form.html", {"form": form, "client": client}, status=400
        )
    return render(request, "portal/client_form.html", {"form": form, "client": client})


def _display(name, value):
    """A recorded value as the member reads it (the label of a choice, not its code)."""
    if name == "kind" and value in Client.Kind.values:
        return Client.Kind(value).label
    return value


def _history(client, user):
    """The client's audit trail as rows a member can read: when, who, what, which fields."""
    my_units = dict(ProductionUnit.objects.held_by(user).values_list("pk", "code"))
    rows = []
    for event in audit_trail(client):
        changes = []
        for name, value in (event.changes or {}).items():
            if name == "units":
                codes = [my_units[pk] for pk in value if pk in my_units]
                changes.append((_("units"), "", ", ".join(codes)))
                continue
            try:
                label = capfirst(Client._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:  # a field since renamed: show its name
                label = name
            if isinstance(value, list) and len(value) == 2:
                changes.append((label, _display(name, value[0]), _display(name, value[1])))
            elif value not in ("", None):
                changes.append((label, "", _display(name, value)))
        rows.append(history_row(event, changes=changes))
    return rows
