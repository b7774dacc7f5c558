"""The bureau of an assembly in the back-office: the pages of its steps, each a form that calls
one service (governance/services/, governance/tally.py). GeneralAssemblyAdmin
(governance/admin_assemblies.py) inherits them and links them from its `bureau` field.

- convene and get the tellers' key (board);
- correct the roll, record attendance, enter the paper totals (advisors);
- count with the tellers' key (board).
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import add_service_errors
from core.roles import is_board

from .forms import AttendanceForm, KeyUploadForm, MemberNumberReasonForm, PaperTotalsForm
from .models import AgendaItem, ElectionCandidate, GeneralAssembly, Participation
from .services.meeting import attendance_record, paper_totals_enter
from .services.roll import assembly_convene, roll_correct
from .tally import assembly_tally

FORM_PAGE = "admin/form_page.html"


class ConveneForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I will hand the key file to the tellers: the application keeps no copy"),
        required=True,
    )


class AssemblyBureauAdmin(admin.ModelAdmin):
    """The bureau's pages of the assemblies' ModelAdmin."""

    def get_urls(self) -> list[URLPattern]:
        def view(fn: Callable, route: str, name: str) -> URLPattern:
            return path(route, self.admin_site.admin_view(fn), name=f"governance_{name}")

        return [
            view(self.convene_view, "<int:pk>/convene/", "convene"),
            view(self.roll_correct_view, "<int:pk>/roll-correct/", "roll_correct"),
            view(self.attendance_view, "<int:pk>/attendance/", "attendance"),
            view(self.paper_view, "<int:pk>/paper/", "paper"),
            view(self.tally_view, "<int:pk>/tally/", "tally"),
        ] + super().get_urls()

    def _page(self, request, form, title, intro, submit, status=200, method="post"):
        return render(
            request,
            FORM_PAGE,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "form": form,
                "title": title,
                "intro": intro,
                "submit_label": submit,
                "method": method,
            },
            status=status,
        )

    def _form_page(self, request: HttpRequest, form, run: Callable, *, title, intro, submit):
        """The page of a step: on a valid POST, `run()` calls the service and answers; what
        the service refuses goes back on the form (400)."""
        if request.method == "POST" and form.is_valid():
            try:
                return run()
            except ValidationError as error:
                add_service_errors(form, error)
        status = 400 if request.method == "POST" else 200
        return self._page(request, form, title, intro, submit, status=status)

    def _assembly(self, request, pk, *, board=False) -> GeneralAssembly:
        if not self.has_view_permission(request) or (board and not is_board(request.user)):
            raise PermissionDenied
        return get_object_or_404(GeneralAssembly, pk=pk)

    def _back(self, assembly):
        return redirect("admin:governance_generalassembly_change", assembly.pk)

    def convene_view(self, request, pk):
        assembly = self._assembly(request, pk, board=True)
        form = ConveneForm(request.POST or None)

        def run():
            convened = assembly_convene(assembly=assembly, by=request.user)
            response = HttpResponse(convened.key_file, content_type="text/plain")
            response["Content-Disposition"] = (
                f'attachment; filename="tellers-key-assembly-{assembly.pk}.txt"'
            )
            response["Cache-Control"] = "no-store"
            return response

        return self._form_page(
            request,
            form,
            run,
            title=gettext("Convene %(title)s") % {"title": assembly.title},
            intro=gettext(
                "Convening freezes the statutes' rules and the wording of every item, freezes "
                "the voter roll at the record date, sends the convocations and gives you the "
                "tellers' private key, once, as a file. Without it the ballots can never be "
                "counted."
            ),
            submit=gettext("Convene"),
        )

    def roll_correct_view(self, request, pk):
        assembly = self._assembly(request, pk)
        form = MemberNumberReasonForm(request.POST or None)

        def run():
            roll_correct(
                assembly=assembly,
                member=form.member,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
            messages.success(request, gettext("Member added to the roll."))
            return self._back(assembly)

        return self._form_page(
            request,
            form,
            run,
            title=gettext("Correct the voter roll"),
            intro=gettext(
                "Add a member forgotten on the frozen roll. The reason and the roll's new SHA-256 "
                "are recorded in the audit trail."
            ),
            submit=gettext("Add to the roll"),
        )

    def attendance_view(self, request, pk):
        assembly = self._assembly(request, pk)
        form = AttendanceForm(request.POST or None)

        def run():
            attendance_record(assembly=assembly, member=form.member, by=request.user)
            messages.success(
                request, gettext("%(name)s is recorded present.") % {"name": form.member}
            )
            return redirect("admin:governance_attendance", assembly.pk)

        present = Participation.objects.filter(
            assembly=assembly, channel=Participation.Channel.IN_PERSON
        ).count()
        return self._form_page(
            request,
            form,
            run,
            title=gettext("Attendance in the room"),
            intro=gettext(
                "%(n)s members recorded present. A member who voted online or by proxy can't be "
                "recorded present and voting."
            )
            % {"n": present},
            submit=gettext("Record present"),
        )

    def paper_view(self, request, pk):
        assembly = self._assembly(request, pk)
        targets = _paper_targets(assembly)
        choice = request.GET.get("target", "")
        selected = next(
            (t for t in targets if f"{t[0].pk}-{getattr(t[1], 'pk', '')}" == choice), None
        )
        if selected is None:
            lines = format_html(
                "<ul>{}</ul>",
                format_html_join(
                    "",
                    '<li><a href="?target={}-{}">{}{}</a></li>',
                    (
                        (item.pk, getattr(c, "pk", ""), item, f" — {c}" if c else "")
                        for item, c in targets
                    ),
                ),
            )
            return self._page(request, None, gettext("Paper totals"), lines, "", method="get")
        item, candidate = selected
        form = PaperTotalsForm(request.POST or None)

        def run():
            paper_totals_enter(item=item, candidate=candidate, by=request.user, **form.cleaned_data)
            messages.success(request, gettext("Totals recorded."))
            return redirect("admin:governance_paper", assembly.pk)

        label = f"{item}" + (f" — {candidate}" if candidate else "")
        return self._form_page(
            request,
            form,
            run,
            title=gettext("Paper totals: %(item)s") % {"item": label},
            intro=gettext(
                "The votes in the room for this item. They add to the online "
                "ballots when the vote is counted."
            ),
            submit=gettext("Record"),
        )

    def tally_view(self, request, pk):
        assembly = self._assembly(request, pk, board=True)
        form = KeyUploadForm(request.POST or None, request.FILES or None)

        def run():
            assembly_tally(assembly=assembly, key_file=form.cleaned_data["key"], by=request.user)
            messages.success(request, gettext("Counted and published."))
            return self._back(assembly)

        return self._form_page(
            request,
            form,
            run,
            title=gettext("Count the ballots"),
            intro=gettext(
                "Give the tellers' key file. The ballots are opened once, counted with the paper "
                "totals, and the results published; the key is not kept."
            ),
            submit=gettext("Count"),
        )


def _paper_targets(
    assembly: GeneralAssembly,
) -> list[tuple[AgendaItem, ElectionCandidate | None]]:
    """What paper totals are entered for: each voted item, each candidate of an election."""
    targets: list[tuple[AgendaItem, ElectionCandidate | None]] = []
    for item in assembly.items.prefetch_related("candidates__member"):
        if item.kind == AgendaItem.Kind.ELECTION:
            targets += [(item, c) for c in item.candidates.all()]
        elif item.kind != AgendaItem.Kind.INFORMATION:
            targets.append((item, None))
    return targets
