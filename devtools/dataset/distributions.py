"""The figures and tables of Smart's 2025 activity report ("chiffres clés") that the dataset
reproduces, as data, each with the page of the report it comes from.

Source: /work/shared/seeds/003_8daa72820c33a97a.txt (Rapport d'activité 2025). Percentages are
written as in the report; `weights()` normalises a table whose rows don't add up to 100.
"""

from dataclasses import dataclass

# --- Totals (scale 1) ---------------------------------------------------------------------

TOTALS = {
    # p. 32 "le sociétariat"
    "members_a": 45_473,
    "members_b": 101,
    "members_c": 24,
    "shares": 160_983,
    "max_shares": 291,
    "shares_refunded": 928,
    # p. 26 "les salarié·es": members employed on an open-ended contract ("membres en CDI")
    "open_ended_members": 30,
    # p. 12 "les outils et services": zero-rate loans granted, and their total in cents
    "loans": 67,
    "loans_cents": 219_949_00,
    # p. 15 "les titulaires d'unités de production"
    "holders": 21_585,
    "holders_1_unit": 19_644,
    "holders_2_units": 1_835,
    "holders_3_units": 106,  # "3 UP ou plus": generated with exactly 3
    # p. 22 "les unités de production"
    "active_units": 23_281,
    "turnover_cents": 198_146_173_00,
    "units_employing_others": 951,
    # p. 36 "les clients"
    "clients": 35_064,
    "invoices": 218_668,
    # p. 26 "les salarié·es"
    "contracts": 222_412,
    "work_days": 641_087,
    "hours": 4_492_827,
    "employees": 21_509,
    "employees_not_holders": 1_983,
    "expense_claims": 87_491,
    # p. 12 "les outils et services"
    "advisors": 87,
}

# p. 32: the members' average age and seniority, in completed years on 31 December. The
# bands (p. 15) are the holders'; the averages are every member's (the non-holders are tilted:
# people.PeopleGenerator._add_non_holders).
MEAN_AGE = 43.0
MEAN_SENIORITY = 5.5

SHARE_PRICE_NOTE = "30 € a share: read from members.SharePolicy in force (p. 32: 4,829,490 €)."


@dataclass(frozen=True)
class Table:
    """A distribution of the report: (key, percentage) rows, and where it is printed."""

    source: str
    rows: tuple[tuple[str, float], ...]

    def weights(self) -> dict[str, float]:
        total = sum(value for _key, value in self.rows)
        return {key: value / total for key, value in self.rows}

    @property
    def keys(self) -> list[str]:
        return [key for key, _value in self.rows]


# p. 12: tools used by the holders (a holder using both has a unit of each).
TOOLS = Table(
    "p. 12 (chiffres clés les outils et services)",
    (("3en1", 48.6), ("activite", 43.6), ("both", 7.8)),
)

# p. 32: members by category (counts, used as weights).
CATEGORIES = Table("p. 32 (chiffres clés le sociétariat)", (("A", 45_473), ("B", 101), ("C", 24)))

# p. 15: holders by region; the region is the office (Wallonie and Flandre split over their
# offices, see OFFICES_BY_REGION); "abroad" holders live outside Belgium, followed in Brussels.
REGIONS = Table(
    "p. 15 (titulaires: région)",
    (("bruxelles", 51), ("wallonie", 40.5), ("flandre", 8), ("abroad", 0.5)),
)
OFFICES_BY_REGION = {
    "bruxelles": (("bruxelles", 1.0),),
    "wallonie": (("liege", 0.3), ("charleroi", 0.2), ("namur", 0.2), ("mons", 0.15),
                 ("tournai", 0.15)),
    "flandre": (("gent", 0.55), ("antwerpen", 0.45)),
    "abroad": (("bruxelles", 1.0),),
}  # fmt: skip

# p. 15: holders by gender.
GENDERS = Table("p. 15 (titulaires: genre)", (("M", 51), ("F", 49)))

# p. 15: holders by age band (age on 31 December of the year).
AGE_BANDS = Table(
    "p. 15 (titulaires: âge)",
    (("-25", 9), ("26-35", 35), ("36-45", 30), ("46-59", 21), ("60+", 5)),
)
AGE_RANGES = {"-25": (19, 25), "26-35": (26, 35), "36-45": (36, 45), "46-59": (46, 59),
              "60+": (60, 72)}  # fmt: skip

# p. 15: holders by seniority (years since they became members, on 31 December).
SENIORITY_BANDS = Table(
    "p. 15 (titulaires: ancienneté)",
    (("0-1", 12), ("1-5", 42), ("5-10", 22), ("10-15", 12), ("15+", 12)),
)
SENIORITY_RANGES = {"0-1": (0, 1), "1-5": (1, 5), "5-10": (5, 10), "10-15": (10, 15),
                    "15+": (15, 27)}  # fmt: skip

# p. 16: holders by yearly amount invoiced (all their units), in euros.
HOLDER_BRACKETS = Table(
    "p. 16 (titulaires: montants facturés par an)",
    (("<1K", 23), ("1-3K", 22), ("3-5K", 11), ("5-10K", 16), ("10-20K", 14), (">20K", 14)),
)
HOLDER_BRACKET_BOUNDS = {"<1K": (0, 1_000), "1-3K": (1_000, 3_000), "3-5K": (3_000, 5_000),
                         "5-10K": (5_000, 10_000), "10-20K": (10_000, 20_000),
                         ">20K": (20_000, None)}  # fmt: skip

# p. 16: share of women in each holder billing bracket.
WOMEN_BY_HOLDER_BRACKET = {
    "source": "p. 16 (titulaires: genre par tranche de facturation)",
    "<1K": 53.5, "1-3K": 51.5, "3-5K": 52, "5-10K": 50, "10-20K": 47, ">20K": 39,
}  # fmt: skip

# p. 17: billing bracket by age band (column percentages); columns 46-55 and 55+ of the
# report are read as the 46-59 and 60+ bands of p. 15.
BRACKET_BY_AGE = {
    "source": "p. 17 (titulaires: tranche de facturation par âge)",
    "-25": (38, 27, 10, 12, 7.5, 5.5),
    "26-35": (25.5, 22.5, 11, 15, 13, 13),
    "36-45": (20, 20, 11.5, 17, 15, 16.5),
    "46-59": (19, 20.5, 11, 18, 15, 16.5),
    "60+": (18, 21, 12, 18.5, 15.5, 15),
}

# p. 18: billing bracket by seniority (column percentages).
BRACKET_BY_SENIORITY = {
    "source": "p. 18 (titulaires: tranche de facturation par ancienneté)",
    "0-1": (40, 28, 11, 11, 6, 4),
    "1-5": (18, 21, 12, 17, 16, 16),
    "5-10": (19, 18, 11, 17, 16, 19),
    "10-15": (17, 18, 12, 18, 16, 19),
    "15+": (13, 18, 11, 20, 19, 19),
}

# p. 19: number of clients invoiced per holder.
CLIENTS_PER_HOLDER = Table(
    "p. 19 (titulaires: nombre de client·es facturé·es)",
    (("1", 47), ("2", 18), ("3-5", 20), ("6+", 15)),
)

# p. 19: holders' sector of activity (artistic, not, or both).
SECTOR_KINDS = Table(
    "p. 19 (titulaires: secteur d'activité)",
    (("artistic", 36), ("non_artistic", 49), ("both", 15)),
)

# p. 26-27: employees by sector (used as the weights of the units' sectors within the
# artistic and non-artistic groups). Keys are production_units.Sector codes.
SECTORS = Table(
    "p. 27 (salarié·es par secteur)",
    (
        ("architecture-mode-design", 936),
        ("arts-spectacle-litteraires", 3_095),
        ("arts-plastiques-artisanat", 4_665),
        ("audiovisuel", 1_427),
        ("bien-etre-sante", 1_136),
        ("costumes-maquillage-decor", 813),
        ("fonctions-connexes-creation", 1_874),
        ("formation-enseignement", 2_108),
        ("images-sons-scenes", 2_756),
        ("informatique-graphisme-langue", 1_322),
        ("musique-chanson", 2_888),
        ("autres-metiers", 3_121),
    ),
)

# p. 22: active units by amount invoiced in the year (euros excl. VAT).
UNIT_BRACKETS = Table(
    "p. 22 (unités de production ventilées par montants facturés)",
    (("<1K", 24), ("1-3K", 22.7), ("3-10K", 28), ("10-30K", 18), ("30-50K", 4.5),
     ("50-100K", 2.5), (">100K", 0.3)),
)  # fmt: skip
UNIT_BRACKET_BOUNDS = {"<1K": (30, 1_000), "1-3K": (1_000, 3_000), "3-10K": (3_000, 10_000),
                       "10-30K": (10_000, 30_000), "30-50K": (30_000, 50_000),
                       "50-100K": (50_000, 100_000), ">100K": (100_000, 400_000)}  # fmt: skip

# p. 22: active units by age.
UNIT_AGE_BANDS = Table(
    "p. 22 (unités actives depuis)",
    (("0-1", 14), ("1-5", 47), ("5-10", 22), ("10+", 11)),
)
UNIT_AGE_RANGES = {"0-1": (0, 1), "1-5": (1, 5), "5-10": (5, 10), "10+": (10, 25)}

# p. 22: units employing others than their holder, by number of such employees.
EMPLOYEES_PER_EMPLOYING_UNIT = Table(
    "p. 22 (unités employant d'autres personnes)", (("1", 68), ("2", 16), ("3+", 17))
)

# p. 26: employees by hours worked per month (hours of the year / months worked).
MONTHLY_HOURS = Table(
    "p. 26 (salarié·es selon le volume mensuel d'heures prestées)",
    (("<8", 19), ("8-20", 28), ("20-45", 30), ("45-75", 13), ("75+", 10)),
)
MONTHLY_HOURS_BOUNDS = {"<8": (1, 8), "8-20": (8, 20), "20-45": (20, 45), "45-75": (45, 75),
                        "75+": (75, 150)}  # fmt: skip

# p. 36: clients.
CLIENT_COUNTRY = Table("p. 36 (client·es: pays)", (("BE", 79), ("abroad", 21)))
CLIENT_SECTOR = Table("p. 36 (client·es: secteur)", (("private", 95), ("public", 5)))
CLIENT_PERSONHOOD = Table("p. 36 (client·es: personnes)", (("company", 82), ("person", 18)))
# "Sociétés" (82 %) are the legal persons: companies, non-profits and public bodies; the
# public sector (5 %) is the public bodies. Split of the remaining legal persons (not in the
# report): companies 80 %, non-profits 20 %.
CLIENT_NON_PROFIT_SHARE = 0.20
# Countries of the clients abroad (not in the report; Smart's neighbours first).
FOREIGN_COUNTRIES = Table(
    "assumption (not in the report)",
    (("FR", 45), ("NL", 15), ("DE", 10), ("LU", 10), ("CH", 8), ("GB", 7), ("US", 5)),
)


def bracket_of(amount, bounds: dict) -> str:
    """The key of the bracket [low, high) holding `amount` (a Decimal for money, a number for
    hours or years)."""
    for key, (low, high) in bounds.items():
        if (high is None or amount < high) and amount >= low:
            return key
    return next(reversed(bounds))
