"""The demo's board and ethics committee (called by seed_demo). Idempotent.

Dates follow today: "the last ordinary assembly" is the 16 June that last went by.
- denis holds a current elected mandate (he has an account, with the board role);
- Sophie Martin's term ends at the next ordinary assembly (a seat to elect);
- Urbike, a member organisation, sits represented by Renaud Sarrazin;
- Marc Lejeune resigned after the last assembly; Nadia Benali was co-opted on his seat and
  waits for the next ordinary assembly to ratify her cooptation;
- the ethics committee: Hélène Dupont (account helene@smartcoop.test, reads the confidential
  cases), Karim El Idrissi and Lise Vermeulen; one published recommendation, one case in review,
  three meetings.
"""

import datetime
from datetime import date

from django.db import transaction
from django.utils import timezone

from governance.board_services import cooptation_record, mandate_end
from governance.ethics_services import (
    ethics_case_opinion_publish,
    ethics_case_receive,
    ethics_case_review,
    ethics_meeting_record,
    ethics_term_record,
)
from governance.models import EthicsCase, EthicsCommitteeTerm, EthicsMeeting, Mandate
from members.models import Member
from members.services import member_create
from reports.figures.base import Scope
from reports.models import ReportText
from reports.principles_report import NARRATIVES
from reports.selectors import snapshot_sections
from reports.services import sections_for, snapshot_compute
from reports.text_services import report_text_approve, report_text_write

from . import demo

HELENE_EMAIL = "helene@smartcoop.test"
AI_SUBJECT = "Intelligence artificielle dans le travail des membres"
AI_OPINION = (
    "Le comité recommande que l'usage d'outils d'intelligence artificielle dans les prestations "
    "facturées via la coopérative soit signalé aux clients, et que les données des clients ne "
    "soient jamais confiées à un service qui les réutilise pour s'entraîner."
)


def last_assembly_day(today: date) -> date:
    """The 16 June that last went by (the demo's ordinary assemblies are held that day)."""
    this_year = date(today.year, 6, 16)
    return this_year if this_year <= today else date(today.year - 1, 6, 16)


def _found_or_created(admin, lookup: dict, **fields) -> Member:
    """The member `lookup` finds, else one created with `fields` (idempotent demo)."""
    return Member.objects.filter(**lookup).first() or member_create(by=admin, **fields)


def _plain(admin, first_name, last_name) -> Member:
    names = {"first_name": first_name, "last_name": last_name}
    return _found_or_created(
        admin,
        {**names, "user__isnull": True},
        category=Member.Category.A,
        member_since=date(2012, 1, 1),
        **names,
    )


def _organisation(admin, name) -> Member:
    fields = {"organisation_name": name, "is_organisation": True}
    return _found_or_created(
        admin, fields, category=Member.Category.C, member_since=date(2016, 3, 1), **fields
    )


def _elected(member, start: date, *, representative_name="", years=4) -> Mandate:
    existing = member.mandates.filter(how=Mandate.How.ELECTED, start=start).first()
    return existing or Mandate.objects.create(
        member=member,
        representative_name=representative_name,
        how=Mandate.How.ELECTED,
        start=start,
        end=start.replace(year=start.year + years),
    )


@transaction.atomic
def ensure_board_demo() -> dict:
    """The board's mandates and the ethics committee of the demo; running it twice changes
    nothing."""
    admin = demo.ensure_admin()
    denis = demo.ensure_denis()
    today = timezone.localdate()
    last = last_assembly_day(today)
    y = last.year

    mandates = {
        "denis": _elected(denis.member, date(y - 2, 6, 16)),
        "sophie": _elected(_plain(admin, "Sophie", "Martin"), date(y - 3, 6, 16)),
        "julie": _elected(_plain(admin, "Julie", "Peeters"), date(y - 1, 6, 16)),
        "urbike": _elected(
            _organisation(admin, "Urbike"), last, representative_name="Renaud Sarrazin"
        ),
    }
    marc = _elected(_plain(admin, "Marc", "Lejeune"), date(y - 3, 6, 16))
    gap = max(1, (today - last).days // 3)
    if marc.ended_on is None:
        marc = mandate_end(
            mandate=marc,
            on=last + datetime.timedelta(days=gap),
            reason=Mandate.EndReason.RESIGNATION,
            by=admin,
            note="Lettre de démission (démo)",
        )
    mandates["marc"] = marc
    nadia = _plain(admin, "Nadia", "Benali")
    coopted = marc.replaced_by.first()
    if coopted is None:
        coopted = cooptation_record(
            member=nadia,
            replaces=marc,
            start=marc.ended_on + datetime.timedelta(days=gap),
            by=admin,
            reason="Décision du conseil d'administration (démo)",
        )
    mandates["nadia"] = coopted

    committee = _ensure_ethics_committee(admin, today)
    _ensure_report_texts(denis, today.year - 1)
    return {"mandates": mandates, "committee": committee}


# The narrative sections of last year's report on the cooperative principles, as the board
# would write them (in French: the report goes to the National Council for Cooperation).
REPORT_TEXTS = {
    "introduction": (
        "Le conseil d'administration présente ici, principe par principe, la manière dont la "
        "coopérative a fonctionné au cours de l'exercice. Les chiffres sont tirés directement "
        "de la plateforme ; les textes ont été approuvés par le conseil."
    ),
    "membership": (
        "Toute personne qui exerce une activité autonome peut devenir sociétaire en "
        "souscrivant une part. Les demandes sont examinées chaque semaine par les "
        "conseiller·ères ; un refus est toujours motivé et peut être contesté devant le "
        "conseil d'administration."
    ),
    "participation": (
        "Le vote en ligne, ouvert deux semaines avant l'assemblée générale, a permis aux "
        "sociétaires de toutes les régions de participer. Des séances d'information ont été "
        "organisées dans chaque bureau avant l'assemblée."
    ),
    "ethics": (
        "Le comité d'éthique, composé de sociétaires élu·es, examine les situations qui lui "
        "sont soumises en toute indépendance et publie ses avis anonymisés."
    ),
    "board": (
        "Les mandats d'administrateur·rice durent quatre ans et sont renouvelés par moitié. "
        "Un mandat devenu vacant a été pourvu par cooptation, soumise à la ratification de "
        "la prochaine assemblée générale."
    ),
    "reserves": (
        "Conformément aux statuts, le résultat de l'exercice est affecté aux réserves "
        "impartageables ; aucun dividende n'est distribué."
    ),
    "economic": (
        "La valeur de la part est restée fixe. Les sociétaires qui quittent la coopérative "
        "sont remboursé·es à la valeur de souscription de leurs parts."
    ),
    "autonomy": (
        "La coopérative est contrôlée par ses seul·es sociétaires ; aucun accord conclu avec "
        "un pouvoir public ou un partenaire financier ne limite cette autonomie."
    ),
    "education": (
        "Des formations à la gestion d'activité, à la facturation et au droit social sont "
        "proposées gratuitement aux sociétaires tout au long de l'année."
    ),
    "cooperation": (
        "La coopérative participe aux réseaux belges et européens de l'économie sociale et "
        "partage ses outils avec d'autres coopératives d'activités."
    ),
    "community": (
        "La mutualisation des risques et des services permet à des milliers de travailleur·ses "
        "autonomes de bénéficier d'une protection sociale complète."
    ),
}


def _ensure_report_texts(board_member, year: int) -> None:
    """Approved narrative texts of `year`'s report, once (a section already approved is
    left as the board wrote it)."""
    approved = set(
        ReportText.objects.filter(year=year, status=ReportText.Status.APPROVED).values_list(
            "section", flat=True
        )
    )
    for section in NARRATIVES:
        if section in approved or section not in REPORT_TEXTS:
            continue
        draft = report_text_write(
            year=year, section=section, text=REPORT_TEXTS[section], by=board_member
        )
        report_text_approve(draft=draft, by=board_member)


def _ensure_ethics_committee(admin, today: date) -> list[EthicsCommitteeTerm]:
    helene_user = demo._user(HELENE_EMAIL, "Hélène", "Dupont", staff=True)
    helene = Member.objects.filter(user=helene_user).first() or member_create(
        by=admin,
        user=helene_user,
        category=Member.Category.B,
        first_name="Hélène",
        last_name="Dupont",
        member_since=date(2014, 9, 1),
    )
    start = date(last_assembly_day(today).year - 2, 1, 1)
    people = [
        (helene, helene_user),
        (_plain(admin, "Karim", "El Idrissi"), None),
        (_plain(admin, "Lise", "Vermeulen"), None),
    ]
    terms = []
    for member, user in people:
        term = EthicsCommitteeTerm.objects.filter(member=member).first()
        terms.append(
            term or ethics_term_record(member=member, start=start, user_access=user, by=admin)
        )
    if not EthicsCase.objects.exists():
        published = ethics_case_receive(
            received_on=start + datetime.timedelta(days=70),
            subject=AI_SUBJECT,
            confidential_text="Signalement d'un membre (démo) : texte confidentiel du comité.",
            by=helene_user,
        )
        ethics_case_opinion_publish(case=published, opinion=AI_OPINION, by=helene_user)
        in_review = ethics_case_receive(
            received_on=today - datetime.timedelta(days=20),
            subject="Relations avec un client",
            confidential_text="Demande d'avis confidentielle (démo) : détails connus du comité.",
            by=helene_user,
        )
        ethics_case_review(case=in_review, by=helene_user)
    if not EthicsMeeting.objects.exists():
        for days in (200, 120, 40):
            ethics_meeting_record(
                day=today - datetime.timedelta(days=days), notes="Notes (démo)", by=helene_user
            )
    return terms


def ensure_demo_figures(today: date | None = None) -> int:
    """The cooperative-wide key figures of last year and of this year, as the nightly task
    computes them, so that the board member's first page shows figures rather than "not
    computed yet" (the offices' own figures are left to the nightly task or the button:
    computing them all would make the demo slower to build). Returns how many were computed."""
    today = today or timezone.localdate()
    count = 0
    for year in (today.year - 1, today.year):
        stored = snapshot_sections(year=year, scope=Scope())
        for figure in sections_for(Scope()):
            if figure not in stored:
                snapshot_compute(year=year, scope=Scope(), figure=figure, today=today)
                count += 1
    return count
