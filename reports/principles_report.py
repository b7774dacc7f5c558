"""The yearly report to the National Council for Cooperation on how the cooperative applies
the seven ICA principles (the CNC's model report): the figures filled from the data (the
dashboards' members and governance sections, the ordinary assembly, the board's mandates) and
the narrative sections the board writes and approves in the back-office (ReportText: the
last approved version of each, or a note that it is not written yet)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from core.dates import format_day

from .documents import YearFigures, render_report_pdf, year_figures
from .figures import period_of
from .figures.governance import mandate_terms, ordinary_assembly
from .presentation import shown
from .selectors import approved_texts

SECTIONS = ("members", "governance")

# The narrative sections, by key, in the report's order (their place is in PRINCIPLES).
NARRATIVES: dict[str, str | Promise] = {
    "introduction": _("Introduction"),
    "membership": _("Principle 1: membership (narrative)"),
    "participation": _("Principle 2: initiatives for the members' participation"),
    "ethics": _("Principle 2: the ethics committee"),
    "board": _("Principle 2: the board's renewal"),
    "reserves": _("Principle 3: allocation of the result to reserves"),
    "economic": _("Principle 3: the members' economic participation (narrative)"),
    "autonomy": _("Principle 4: autonomy and independence"),
    "education": _("Principle 5: education, training and information"),
    "cooperation": _("Principle 6: cooperation among cooperatives"),
    "community": _("Principle 7: concern for community"),
}


@dataclass(frozen=True)
class Principle:
    title: str | Promise
    facts: str  # the name of the function below giving the figures' sentences
    narratives: tuple[str, ...]


PRINCIPLES = (
    Principle(
        _("Principle 1 of the ICA: voluntary and open membership"), "membership", ("membership",)
    ),
    Principle(
        _("Principle 2 of the ICA: democratic member control"),
        "control",
        ("participation", "ethics", "board"),
    ),
    Principle(
        _("Principle 3 of the ICA: member economic participation"),
        "economic",
        ("reserves", "economic"),
    ),
    Principle(_("Principle 4 of the ICA: autonomy and independence"), "", ("autonomy",)),
    Principle(_("Principle 5 of the ICA: education, training and information"), "", ("education",)),
    Principle(_("Principle 6 of the ICA: cooperation among cooperatives"), "", ("cooperation",)),
    Principle(_("Principle 7 of the ICA: concern for community"), "", ("community",)),
)


def _members(figures: YearFigures, label: str) -> str:
    return figures.shown(label, "members")


def _count(figures: YearFigures, label: str, block: str) -> int:
    """The number that chooses a sentence's singular or plural form (a group not shown,
    "< 10", reads as plural)."""
    value = figures.value(label, block)
    return int(value) if isinstance(value, int | Decimal) else 2


def _membership_facts(figures: YearFigures, today: date) -> list[str]:
    members = "members"
    return [
        ngettext(
            "In %(year)s, %(count)s member joined the cooperative.",
            "In %(year)s, %(count)s members joined the cooperative.",
            _count(figures, N_("Joined"), members),
        )
        % {"count": figures.shown(N_("Joined"), members), "year": figures.year},
        ngettext(
            "%(count)s application for membership was refused.",
            "%(count)s applications for membership were refused.",
            _count(figures, N_("Applications refused"), members),
        )
        % {"count": figures.shown(N_("Applications refused"), members)},
        ngettext(
            "%(count)s member resigned.",
            "%(count)s members resigned.",
            _count(figures, N_("Resigned"), members),
        )
        % {"count": figures.shown(N_("Resigned"), members)},
        ngettext(
            "%(count)s member was excluded according to the rules of the cooperative.",
            "%(count)s members were excluded according to the rules of the cooperative.",
            _count(figures, N_("Excluded"), members),
        )
        % {"count": figures.shown(N_("Excluded"), members)},
    ]


def _assembly_fact(figures: YearFigures, today: date) -> str:
    assembly = ordinary_assembly(period_of(figures.year, today))
    if assembly is None:
        return gettext("No ordinary general assembly was held in %(year)s.") % {
            "year": figures.year
        }
    return gettext(
        "%(voters)s members of the %(roll)s on the roll took part in the vote of the ordinary "
        "general assembly of %(day)s."
    ) % {
        "voters": shown(assembly.voters),
        "roll": shown(assembly.roll),
        "day": format_day(assembly.day),
    }


def _mandates_fact(figures: YearFigures, today: date) -> str:
    terms = mandate_terms(period_of(figures.year, today))
    if not terms:
        return gettext("No board mandate was in force on 31 December.")
    lengths = ", ".join(
        ngettext("%(count)s of %(years)s year", "%(count)s of %(years)s years", years)
        % {"count": count, "years": years}
        for years, count in terms.items()
    )
    return ngettext(
        "On 31 December, %(count)s board member held a mandate given by the general "
        "assembly (or co-opted by the board until its next meeting); the term: %(terms)s. "
        "The mandate is served without pay.",
        "On 31 December, %(count)s board members held a mandate given by the general "
        "assembly (or co-opted by the board until its next meeting); their terms: %(terms)s. "
        "They serve without pay.",
        _count(figures, N_("Board members"), "governance_board"),
    ) % {"count": figures.shown(N_("Board members"), "governance_board"), "terms": lengths}


def _control_facts(figures: YearFigures, today: date) -> list[str]:
    categories = {row[0]: shown(row[1]) for row in figures.rows("members_by_category")}
    board, ethics = "governance_board", "governance_ethics"
    return [
        gettext(
            "On 31 December %(year)s, the cooperative had %(members)s members: %(a)s of "
            "category A, %(b)s of category B and %(c)s of category C."
        )
        % {
            "year": figures.year,
            "members": _members(figures, N_("Members at the end of the period")),
            "a": categories.get("Category A", "—"),
            "b": categories.get("Category B", "—"),
            "c": categories.get("Category C", "—"),
        },
        _assembly_fact(figures, today),
        gettext(
            "One person, one vote: every member has one vote at the general assembly, "
            "whatever the number of shares held; the platform records one participation per "
            "member and assembly."
        ),
        _mandates_fact(figures, today),
        ngettext(
            "%(count)s board member was co-opted during the year.",
            "%(count)s board members were co-opted during the year.",
            _count(figures, N_("Co-opted in the period"), board),
        )
        % {"count": figures.shown(N_("Co-opted in the period"), board)},
        " ".join(
            (
                ngettext(
                    "The ethics committee received %(count)s case,",
                    "The ethics committee received %(count)s cases,",
                    _count(figures, N_("Cases received"), ethics),
                )
                % {"count": figures.shown(N_("Cases received"), ethics)},
                ngettext(
                    "published %(count)s opinion",
                    "published %(count)s opinions",
                    _count(figures, N_("Opinions published"), ethics),
                )
                % {"count": figures.shown(N_("Opinions published"), ethics)},
                ngettext(
                    "and met %(count)s time.",
                    "and met %(count)s times.",
                    _count(figures, N_("Meetings"), ethics),
                )
                % {"count": figures.shown(N_("Meetings"), ethics)},
            )
        ),
    ]


def _economic_facts(figures: YearFigures, today: date) -> list[str]:
    return [
        ngettext(
            "%(count)s share was refunded to members who left, at the price they subscribed "
            "it (article 6:120 of the Code of companies and associations).",
            "%(count)s shares were refunded to members who left, at the price they "
            "subscribed them (article 6:120 of the Code of companies and associations).",
            _count(figures, N_("Shares refunded"), "members"),
        )
        % {"count": figures.shown(N_("Shares refunded"), "members")},
        gettext("On 31 December, the members held %(shares)s shares, an equity of %(equity)s €.")
        % {
            "shares": _members(figures, N_("Shares held")),
            "equity": _members(figures, N_("Equity (€)")),
        },
    ]


FACTS = {
    "membership": _membership_facts,
    "control": _control_facts,
    "economic": _economic_facts,
}


@dataclass
class ShownPrinciple:
    title: str
    facts: list[str] = field(default_factory=list)
    narratives: list[tuple[str, str]] = field(default_factory=list)  # (title, text or "")


def principles(figures: YearFigures, today: date) -> list[ShownPrinciple]:
    """The principles in the active language, with their figures and approved texts."""
    texts = approved_texts(year=figures.year)
    result = []
    for principle in PRINCIPLES:
        facts = FACTS[principle.facts](figures, today) if principle.facts else []
        narratives = [
            (str(NARRATIVES[key]), texts[key].text if key in texts else "")
            for key in principle.narratives
        ]
        result.append(ShownPrinciple(str(principle.title), facts, narratives))
    return result


def principles_report_pdf(*, year: int, language: str, today: date) -> bytes:
    """The report on the cooperative principles of `year` as a PDF in `language`."""
    figures = year_figures(year, SECTIONS, today)

    def context() -> dict[str, Any]:
        texts = approved_texts(year=year)
        return {
            "year": year,
            "title": gettext("Report on the cooperative principles %(year)s") % {"year": year},
            "period_end": figures.period_end,
            "introduction": texts["introduction"].text if "introduction" in texts else "",
            "principles": principles(figures, today),
        }

    return render_report_pdf("reports/pdf/principles.html", context, language, today)
