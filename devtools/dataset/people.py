"""Members, their accounts and their shares; the production units of the holders.

Holders are planned from the units' billing (p. 22): the amounts of their units make their
yearly billing bracket (p. 16), and their gender, age and seniority are drawn knowing that
bracket (p. 16-18), with the marginal counts of p. 15 kept exactly.

One stage of the dataset, kept whole (over 500 lines): its steps share the same drawn people
and one seeded generator, in an order the reproducibility of the dataset depends on.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _
from stdnum.be import ogm_vcs

from members.models import Member, ShareRegisterEntry, User
from production_units.models import ProductionUnit

from . import distributions as d
from .capital import plan_withdrawals, write_withdrawals
from .identifiers import (
    CITIES,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    FOREIGN_CITIES,
    LAST_NAMES,
    ORGANISATION_NAMES,
    STREETS,
    belgian_iban,
    national_number,
)
from .sampling import assign_by_affinity, at, bisect_parameter, quota_list, quotas, scaled, tilted

# The password of every generated account (one hash, computed once): for demos and the
# load benchmark only.
DATASET_PASSWORD = "smart-dataset-2025"  # noqa: S105 (documented demo password)
SHARE_REFERENCE_PREFIX = "90"  # as members.register_services
# Expected completed years in each band: the age is drawn whole in the band's range, the
# seniority uniformly in it (so its completed years are half a year less on average).
AGE_MEANS = {band: (low + high) / 2 for band, (low, high) in d.AGE_RANGES.items()}
SENIORITY_MEANS = {band: (low + high) / 2 - 0.5 for band, (low, high) in d.SENIORITY_RANGES.items()}


def years_before(day: date, years: float) -> date:
    return day - timedelta(days=int(years * 365.25))


@dataclass(eq=False)
class Person:
    index: int
    category: str
    gender: str = ""
    age_band: str = ""
    seniority_band: str = ""
    region: str = ""
    office: str = ""
    member_id: int = 0
    user_id: int | None = None
    number: int = 0
    first_name: str = ""
    last_name: str = ""
    organisation: str = ""
    birth_date: date | None = None
    member_since: date | None = None
    national_number: str = ""
    iban: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "BE"
    language: str = "fr"
    email: str = ""
    advisor_id: int | None = None
    is_advisor: bool = False
    # holders
    units: list = field(default_factory=list)
    tool_use: str = ""
    billing_cents: int = 0
    billing_bracket: str = ""
    sector_kind: str = ""


@dataclass(eq=False)
class Unit:
    id: int
    holder: Person
    code: str = ""
    name: str = ""
    tool: str = ""
    sector: str = ""
    legal_entity: str = "smartcoop"
    opened_on: date | None = None
    closed_on: date | None = None
    amount_cents: int = 0
    bracket: str = ""
    invoices: int = 0
    clients: list = field(default_factory=list)
    workers: list = field(default_factory=list)


class PeopleGenerator:
    """Plans holders and units, then writes users, members, shares and units."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.year = ctx.year
        self.end = date(ctx.year, 12, 31)
        self.start = date(ctx.year, 1, 1)

    # --- planning --------------------------------------------------------------------------

    def plan(self):
        ctx, scale = self.ctx, self.ctx.scale
        rng = ctx.rng("holders")
        t = d.TOTALS
        h2 = scaled(t["holders_2_units"], scale)
        h3 = scaled(t["holders_3_units"], scale)
        h1 = max(1, scaled(t["holders"], scale) - h2 - h3)
        holders = [Person(i, "A") for i in range(h1 + h2 + h3)]
        counts = [1] * h1 + [2] * h2 + [3] * h3
        rng.shuffle(counts)
        self.holders = holders
        # Tools (p. 12): "both" needs two units; the rest split 3en1 / Activité.
        multi = [p for p, n in zip(holders, counts, strict=True) if n > 1]
        tool_counts = quotas(d.TOOLS.weights(), len(holders))
        both = set(p.index for p in rng.sample(multi, min(tool_counts["both"], len(multi))))
        singles = [p for p in holders if p.index not in both]
        n_three = tool_counts["3en1"] + (tool_counts["both"] - len(both)) // 2
        rng.shuffle(singles)
        for p in holders:
            p.tool_use = "both" if p.index in both else ""
        for position, p in enumerate(singles):
            p.tool_use = "3en1" if position < n_three else "activite"
        # Units.
        units: list[Unit] = []
        next_id = ctx.writer.next_id(ProductionUnit)
        for p, n in zip(holders, counts, strict=True):
            for k in range(n):
                if p.tool_use == "both":
                    tool = ("3en1", "activite", rng.choice(("3en1", "activite")))[k]
                else:
                    tool = p.tool_use
                unit = Unit(id=next_id + len(units), holder=p, tool=tool)
                p.units.append(unit)
                units.append(unit)
        self.units = units
        # Units closed during the year: extra units of multi-unit holders (never the pair
        # that makes a holder use both tools), so that the active ones are as in p. 22.
        active_target = scaled(t["active_units"], scale)
        to_close = max(0, len(units) - active_target)
        candidates = [u for p in holders if p.tool_use != "both" for u in p.units[1:]]
        candidates += [u for p in holders if p.tool_use == "both" for u in p.units[2:]]
        candidates += [u for p in holders if p.tool_use == "both" for u in p.units[1:2]]
        for unit in candidates[:to_close]:
            unit.closed_on = self.start + timedelta(days=rng.randrange(30, 330))
        self.active_units = [u for u in units if u.closed_on is None]
        self._plan_billing(rng)
        self._plan_holder_attributes(rng)
        self._plan_sectors(rng)

    def _plan_billing(self, rng):
        """Amounts of the active units: exact bracket quotas (p. 22), positions inside the
        brackets calibrated so that the total is the report's turnover."""
        units = self.active_units
        brackets = quota_list(rng, d.UNIT_BRACKETS.weights(), len(units))
        positions = [rng.random() for _ in units]
        target = d.TOTALS["turnover_cents"] * self.ctx.scale
        # p. 22 has one 3-10 K€ bracket where p. 16 splits the holders 3-5 K€ (11 %) and
        # 5-10 K€ (16 %): inside it, positions follow the exponent that puts that share of
        # its units under 5 K€ (most holders hold one unit); the other brackets' exponent is
        # calibrated on the turnover.
        low, high = d.UNIT_BRACKET_BOUNDS["3-10K"]
        below = d.HOLDER_BRACKETS.weights()["3-5K"] / (
            d.HOLDER_BRACKETS.weights()["3-5K"] + d.HOLDER_BRACKETS.weights()["5-10K"]
        )
        split = math.log((d.HOLDER_BRACKET_BOUNDS["3-5K"][1] - low) / (high - low)) / math.log(
            below
        )

        def amounts(k):
            result = []
            for bracket, u in zip(brackets, positions, strict=True):
                low, high = d.UNIT_BRACKET_BOUNDS[bracket]
                result.append(
                    int((low + (high - low) * u ** (split if bracket == "3-10K" else k)) * 100)
                )
            return result

        # Larger k → smaller amounts: bisect on −k so the function increases.
        k = -bisect_parameter(lambda x: sum(amounts(-x)), target, -12.0, -0.2)
        for unit, bracket, cents_ in zip(units, brackets, amounts(k), strict=True):
            low, high = d.UNIT_BRACKET_BOUNDS[bracket]
            unit.bracket = bracket
            unit.amount_cents = min(max(cents_, low * 100), high * 100 - 1)
        for p in self.holders:
            p.billing_cents = sum(u.amount_cents for u in p.units if u.closed_on is None)
            p.billing_bracket = d.bracket_of(
                Decimal(p.billing_cents).scaleb(-2), d.HOLDER_BRACKET_BOUNDS
            )

    def _plan_holder_attributes(self, rng):
        holders = self.holders
        bracket_keys = d.HOLDER_BRACKETS.keys
        women = d.WOMEN_BY_HOLDER_BRACKET
        genders = assign_by_affinity(
            rng,
            [{"F": women[p.billing_bracket], "M": 100 - women[p.billing_bracket]} for p in holders],
            d.GENDERS.weights(),
        )

        def posterior(prior: dict, table: dict, p: Person) -> dict:
            column = bracket_keys.index(p.billing_bracket)
            return {band: prior[band] * table[band][column] for band in prior}

        ages = assign_by_affinity(
            rng,
            [posterior(d.AGE_BANDS.weights(), d.BRACKET_BY_AGE, p) for p in holders],
            d.AGE_BANDS.weights(),
        )
        seniorities = assign_by_affinity(
            rng,
            [posterior(d.SENIORITY_BANDS.weights(), d.BRACKET_BY_SENIORITY, p) for p in holders],
            d.SENIORITY_BANDS.weights(),
        )
        regions = quota_list(rng, d.REGIONS.weights(), len(holders))
        for p, gender, age, seniority, region in zip(
            holders, genders, ages, seniorities, regions, strict=True
        ):
            p.gender, p.age_band, p.seniority_band, p.region = gender, age, seniority, region
        repair_seniority(holders)

    def _plan_sectors(self, rng):
        """p. 19: artistic / non-artistic / both. "Both" needs two units: multi-unit
        holders are the "both" ones; single-unit holders split artistic / non-artistic."""
        sectors = ctx_sectors = self.ctx.sectors
        artistic = [(code, w) for code, w in d.SECTORS.rows if ctx_sectors[code].is_artistic]
        other = [(code, w) for code, w in d.SECTORS.rows if not sectors[code].is_artistic]
        weights = d.SECTOR_KINDS.weights()
        singles = [p for p in self.holders if len(p.units) == 1]
        share = weights["artistic"] / (weights["artistic"] + weights["non_artistic"])
        kinds = quota_list(rng, {"artistic": share, "non_artistic": 1 - share}, len(singles))
        for p, kind in zip(singles, kinds, strict=True):
            p.sector_kind = kind
        for p in self.holders:
            if len(p.units) > 1:
                p.sector_kind = "both"
        self._pick_unit_sectors(rng, artistic, other)

    def _pick_unit_sectors(self, rng, artistic, other):
        """Each unit's sector from its holder's kind, and its legal entity."""

        def pick(pool):
            return rng.choices([c for c, _w in pool], [w for _c, w in pool])[0]

        for p in self.holders:
            for k, unit in enumerate(p.units):
                if p.sector_kind == "artistic":
                    unit.sector = pick(artistic)
                elif p.sector_kind == "non_artistic":
                    unit.sector = pick(other)
                else:
                    unit.sector = pick(artistic if k % 2 == 0 else other)
                if unit.sector == "formation-enseignement" and rng.random() < 0.5:
                    unit.legal_entity = "formateurs-associes"
                elif rng.random() < 0.12:
                    unit.legal_entity = "productions-associees"

    # --- writing ---------------------------------------------------------------------------

    def write(self):
        ctx = self.ctx
        rng = ctx.rng("members")
        people, staff = self._add_non_holders(rng)
        self._name_people(people, rng)
        self._place_people(people, rng)
        self._assign_advisors(people, staff, rng)
        self._write_users(people)
        self._write_members(people)
        self._write_shares(people, ctx.rng("shares"))

    def _add_non_holders(self, rng):
        """The other members of category A, the staff (B) and the sympathisers (C), with the
        holders' tables; returns (everyone in a random order, the staff)."""
        scale = self.ctx.scale
        t = d.TOTALS
        n_a = max(len(self.holders) + 1, scaled(t["members_a"], scale))
        n_b, n_c = scaled(t["members_b"], scale), scaled(t["members_c"], scale)
        others_a = [Person(len(self.holders) + i, "A") for i in range(n_a - len(self.holders))]
        staff = [Person(n_a + i, "B") for i in range(n_b)]
        sympathisers = [Person(n_a + n_b + i, "C") for i in range(n_c)]
        people = self.holders + others_a + staff + sympathisers
        self.people, self.others_a = people, others_a
        # Non-holders: the holders' tables (the report has no other), their age and
        # seniority bands tilted so that every member's averages are p. 32's.
        rest = others_a + staff + sympathisers
        persons = len(rest) - (len(sympathisers) + 1) // 2  # organisations have no age
        for key, table in (
            ("gender", d.GENDERS.weights()),
            ("age_band", self._tilt("age_band", AGE_MEANS, d.MEAN_AGE, persons)),
            ("seniority_band",
             self._tilt("seniority_band", SENIORITY_MEANS, d.MEAN_SENIORITY, len(rest))),
            ("region", d.REGIONS.weights()),
        ):  # fmt: skip
            for p, value in zip(rest, quota_list(rng, table, len(rest)), strict=True):
                setattr(p, key, value)
        repair_seniority(rest)
        for p in sympathisers[: (len(sympathisers) + 1) // 2]:
            p.organisation = f"{rng.choice(ORGANISATION_NAMES)} {rng.choice(LAST_NAMES)}"
        for p in staff:
            p.region = "bruxelles" if p.region == "abroad" else p.region
        n_advisors = min(len(staff), scaled(t["advisors"], scale))
        for p in staff[:n_advisors]:
            p.is_advisor = True
        rng.shuffle(people)  # member numbers in a random order of kinds
        return people, staff

    def _tilt(self, band: str, means: dict[str, float], target: float, others: int) -> dict:
        """The band weights for `others` non-holders that bring the average of holders and
        non-holders to `target` (each band counted at its expected value, `means`)."""
        holders = sum(means[getattr(p, band)] for p in self.holders)
        wanted = (target * (len(self.holders) + others) - holders) / max(1, others)
        table = d.AGE_BANDS if band == "age_band" else d.SENIORITY_BANDS
        return tilted(table.weights(), means, wanted)

    def _name_people(self, people, rng):
        """Numbers, ids, dates, names, national numbers, IBANs and e-mail addresses."""
        ctx = self.ctx
        used_nn: set[str] = set()
        first_member = ctx.writer.next_id(Member)
        first_user = ctx.writer.next_id(User)
        next_user = first_user
        for number, p in enumerate(people, start=1):
            p.number = number
            p.member_id = first_member + number - 1
            low, high = d.AGE_RANGES[p.age_band]
            age = rng.randint(low, high)
            low, high = d.SENIORITY_RANGES[p.seniority_band]
            high = max(low, min(high, age - 18))
            p.member_since = years_before(self.end, low + (high - low) * rng.random())
            if p.organisation:
                p.gender = ""
                continue
            p.birth_date = date(self.year - age, 1, 1) + timedelta(days=rng.randrange(365))
            female = p.gender == "F"
            p.first_name = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
            p.last_name = rng.choice(LAST_NAMES)
            p.national_number = national_number(rng, p.birth_date, female, used_nn)
            p.iban = belgian_iban(rng)
            p.user_id = next_user
            next_user += 1
            p.email = f"membre{number:06d}@dataset.smartcoop.test"

    def _place_people(self, people, rng):
        """Office, country, city, language and street of each person."""
        for p in people:
            choices = d.OFFICES_BY_REGION[p.region]
            p.office = rng.choices([c for c, _w in choices], [w for _c, w in choices])[0]
            if p.region == "abroad":
                p.country = rng.choice(("FR", "NL", "DE", "LU", "IT"))
                p.postal_code, p.city = rng.choice(FOREIGN_CITIES[p.country])
                p.language = "en" if p.country in ("NL", "DE", "IT") else "fr"
            else:
                p.postal_code, p.city = rng.choice(CITIES[p.office])
                p.language = "nl" if p.region == "flandre" and rng.random() < 0.85 else "fr"
            p.street = f"{rng.choice(STREETS)} {rng.randint(1, 180)}"

    def _assign_advisors(self, people, staff, rng):
        """Each member's advisor: one of their office's, else any."""
        ctx = self.ctx
        advisors = [p for p in staff if p.is_advisor]
        by_office: dict[str, list[Person]] = {}
        for p in advisors:
            by_office.setdefault(p.office, []).append(p)
        for p in people:
            pool = by_office.get(p.office) or advisors
            if pool and not p.is_advisor:
                p.advisor_id = rng.choice(pool).user_id
        self.advisors = advisors
        ctx.advisor_user_ids = [p.user_id for p in advisors]

    def _write_users(self, people):
        ctx = self.ctx
        password = make_password(DATASET_PASSWORD)
        users = [p for p in people if p.user_id]
        offices = ctx.offices
        ctx.writer.copy(
            User,
            ["id", "password", "last_login", "is_superuser", "first_name", "last_name",
             "is_staff", "is_active", "date_joined", "email", "office_id"],
            (
                (p.user_id, password, None, False, p.first_name, p.last_name, p.is_advisor,
                 True, at(p.member_since), p.email,
                 offices[p.office].pk if p.is_advisor else None)
                for p in users
            ),
        )  # fmt: skip
        first = ctx.writer.next_id(EmailAddress)
        ctx.writer.copy(
            EmailAddress,
            ["id", "email", "verified", "primary", "user_id"],
            ((first + i, p.email, True, True, p.user_id) for i, p in enumerate(users)),
        )
        through = User.groups.through
        first = ctx.writer.next_id(through)
        member_group, advisor_group = ctx.groups["member"], ctx.groups["advisor"]
        ctx.writer.copy(
            through,
            ["id", "user_id", "group_id"],
            (
                (first + i, p.user_id, advisor_group if p.is_advisor else member_group)
                for i, p in enumerate(users)
            ),
        )

    def _write_members(self, people):
        ctx = self.ctx
        ctx.writer.copy(
            Member,
            ["id", "number", "category", "status", "is_organisation", "first_name", "last_name",
             "organisation_name", "national_number", "birth_date", "gender", "street",
             "postal_code", "city", "country", "iban", "preferred_language", "member_since",
             "advisor_id", "user_id", "office_id", "left_on", "may_open_units"],
            (
                (p.member_id, p.number, p.category, "member", bool(p.organisation),
                 p.first_name, p.last_name, p.organisation, p.national_number, p.birth_date,
                 p.gender, p.street, p.postal_code, p.city, p.country, p.iban, p.language,
                 p.member_since, p.advisor_id, p.user_id, ctx.offices[p.office].pk, None,
                 p.category == "A")
                for p in sorted(people, key=lambda p: p.member_id)
            ),
        )  # fmt: skip
        member_type = ctx.content_type(Member)
        ctx.audit_many(
            (
                at(p.member_since, 8 * 3600),
                None,
                "member.created",
                member_type,
                p.member_id,
                (p.organisation or f"{p.first_name} {p.last_name}".strip())[:200],
                {"number": p.number},
            )
            for p in sorted(people, key=lambda p: p.member_id)
        )
        ctx.counters["member.number"] = len(people)

    def _write_shares(self, people, rng):
        """One subscription at admission and its payment per member (p. 32: 160,983 shares,
        3.4 on average, 291 at most), at the share price in force."""
        ctx = self.ctx
        total = max(len(people), scaled(d.TOTALS["shares"], ctx.scale))
        top = min(d.TOTALS["max_shares"], total - len(people) + 1)
        extra_mean = max(0.01, (total - top - (len(people) - 1)) / max(1, len(people) - 1))
        shares = [1 + int(rng.expovariate(1 / extra_mean)) for _ in people]
        shares = [min(value, top - 1) if top > 1 else 1 for value in shares]
        big = rng.randrange(len(people))
        shares[big] = top
        diff = total - sum(shares)
        order = [i for i in range(len(people)) if i != big]
        while diff:
            i = rng.choice(order)
            if diff > 0 and shares[i] < top - 1:
                shares[i] += 1
                diff -= 1
            elif diff < 0 and shares[i] > 1:
                shares[i] -= 1
                diff += 1
        # The shares withdrawn during the year (capital.py) were subscribed at admission too.
        withdrawn = plan_withdrawals(ctx, people)
        prices: dict[int, Decimal] = {}
        policy_since = ctx.share_policy_since
        entry_id = ctx.writer.next_id(ShareRegisterEntry)
        rows, audits = [], []
        member_type = ctx.content_type(Member)
        subscription_note = _("Subscription at admission")
        for reference_number, (p, count) in enumerate(
            sorted(zip(people, shares, strict=True), key=lambda pair: pair[0].member_id), start=1
        ):
            day = max(p.member_since, policy_since)
            price = prices[p.member_id] = ctx.share_price_on(day)
            count += withdrawn.get(p.member_id, 0)
            amount = price * count
            base = f"{SHARE_REFERENCE_PREFIX}{reference_number:08d}"
            reference = base + ogm_vcs.calc_check_digits(base)
            subscription, payment = entry_id, entry_id + 1
            entry_id += 2
            name = (p.organisation or f"{p.first_name} {p.last_name}".strip())[:200]
            paid_note = _("Received on %(day)s, before admission") % {"day": day.isoformat()}
            for entry, operation, n, paid, related, note, action in (
                (subscription, "subscription", count, 0, None, subscription_note,
                 "shares.subscribed"),
                (payment, "payment", 0, amount, subscription, paid_note, "shares.paid"),
            ):  # fmt: skip
                nominal = amount if operation == "subscription" else 0
                rows.append(
                    (entry, operation, day, n, price if n else 0, nominal, paid, p.category,
                     reference, "", "", at(day, 8 * 3600 + 60), note, None, p.member_id,
                     None, related)
                )  # fmt: skip
                audits.append(
                    (at(day, 8 * 3600 + 60), None, action, member_type, p.member_id, name,
                     {"entry": entry, "operation": operation, "date": day.isoformat(),
                      "shares": n, "amount": f"{nominal:.2f}", "paid_amount": f"{paid:.2f}"})
                )  # fmt: skip
        ctx.writer.copy(
            ShareRegisterEntry,
            ["id", "operation", "date", "shares", "unit_price", "amount", "paid_amount",
             "category", "structured_reference", "decision_reference", "bank_reference",
             "recorded_at", "note", "counterparty_id", "member_id", "recorded_by_id",
             "related_entry_id"],
            rows,
        )  # fmt: skip
        ctx.audit_many(audits)
        ctx.counters["share.structured_reference"] = len(people)
        self.total_shares = sum(shares)
        self.shares_withdrawn = write_withdrawals(ctx, people, withdrawn, prices)

    def write_units(self):
        ctx = self.ctx
        rng = ctx.rng("units")
        labels = {"3en1": "prestations", "activite": "activité"}
        for number, unit in enumerate(self.units, start=1):
            p = unit.holder
            unit.code = f"UP-{number:05d}"
            unit.name = f"{p.first_name} {p.last_name} — {labels[unit.tool]} {number}"
            low, high = d.UNIT_AGE_RANGES[
                rng.choices(d.UNIT_AGE_BANDS.keys, list(d.UNIT_AGE_BANDS.weights().values()))[0]
            ]
            opened = years_before(self.end, low + (high - low) * rng.random())
            earliest = max(p.member_since, date(1998, 1, 1))
            if opened < earliest:
                opened = min(self.end, earliest + timedelta(days=rng.randrange(60)))
            if unit.closed_on is not None:
                opened = min(opened, unit.closed_on - timedelta(days=1))
            unit.opened_on = opened
        entities, sectors = ctx.legal_entities, ctx.sectors
        ctx.writer.copy(
            ProductionUnit,
            ["id", "code", "name", "tool", "status", "opened_on", "closed_on", "holder_id",
             "legal_entity_id", "sector_id"],
            (
                (u.id, u.code, u.name[:200], u.tool, "closed" if u.closed_on else "active",
                 u.opened_on, u.closed_on, u.holder.member_id, entities[u.legal_entity].pk,
                 sectors[u.sector].pk)
                for u in self.units
            ),
        )  # fmt: skip
        unit_type = ctx.content_type(ProductionUnit)
        ctx.audit_many(
            (at(u.opened_on, 10 * 3600), None, "unit.opened", unit_type, u.id,
             f"{u.code} · {u.name}"[:200], {"tool": u.tool, "code": u.code})
            for u in self.units
        )  # fmt: skip


def _fits(person: Person) -> bool:
    """A member joins at 18 at the earliest: the seniority band must fit the age band."""
    return d.SENIORITY_RANGES[person.seniority_band][0] <= d.AGE_RANGES[person.age_band][0] - 18


def repair_seniority(people: list[Person]) -> None:
    """Swap seniority bands between members so that each fits its age band (the marginal
    counts of both tables stay exact). Partners are members old enough for any band, taken
    from per-band stacks: linear time."""
    ages = list(d.AGE_RANGES)
    senior = {band for band in ages if all(
        d.SENIORITY_RANGES[s][0] <= d.AGE_RANGES[band][0] - 18 for s in d.SENIORITY_RANGES
    )}  # fmt: skip
    stacks: dict[str, list[Person]] = {band: [] for band in d.SENIORITY_RANGES}
    for person in people:
        if person.age_band in senior:
            stacks[person.seniority_band].append(person)
    for person in people:
        if _fits(person):
            continue
        old = person.seniority_band
        for band in d.SENIORITY_RANGES:
            person.seniority_band = band
            if not _fits(person):
                continue
            stack = stacks[band]
            while stack and stack[-1].seniority_band != band:
                stack.pop()
            if stack:
                other = stack.pop()
                other.seniority_band = old
                break
        else:
            person.seniority_band = old
