"""Work and pay (p. 22, p. 26): workers (holders working in their units, and the people 951
units employ), contracts in the legal entity's name with their work days and Dimona IN
record as payroll.work.contract_services.contract_create writes them, the employment cost of each
day (what the contribution run reads), and the validated expense claims."""

import math
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from core.money import cents
from payroll.models import (
    Contract,
    ContractType,
    ContractTypeParameters,
    DimonaDeclaration,
    EmploymentCost,
    ExpenseCategory,
    ExpenseClaim,
    PayrollPolicy,
    UnitWorker,
    WorkDay,
    Worker,
)
from payroll.parameters import to_contract_parameters, withholding_table
from payroll.split import employment_cost
from payroll.work.contract_services import contract_reference_text
from payroll.work.work_days import DayInput, split_gross_by_hours
from production_units.models import ProductionUnit

from . import distributions as d
from .people import at
from .sampling import (
    bisect_parameter,
    cumulative,
    quota_list,
    scaled,
    weighted_index,
)

FUNCTIONS = {
    "architecture-mode-design": "Designer", "arts-spectacle-litteraires": "Comédien·ne",
    "arts-plastiques-artisanat": "Plasticien·ne", "audiovisuel": "Technicien·ne audiovisuel",
    "bien-etre-sante": "Praticien·ne bien-être", "costumes-maquillage-decor": "Costumier·e",
    "fonctions-connexes-creation": "Régisseur·se", "formation-enseignement": "Formateur·rice",
    "images-sons-scenes": "Technicien·ne son et lumière", "informatique-graphisme-langue":
    "Graphiste", "musique-chanson": "Musicien·ne", "autres-metiers": "Collaborateur·rice",
}  # fmt: skip
EXPENSES = (
    ("travel", 25, "Train et transports en commun"), ("mileage", 25, "Déplacement en voiture"),
    ("material", 20, "Matériel et fournitures"), ("meals", 15, "Repas en tournée"),
    ("communication", 5, "Abonnement téléphone"), ("training", 5, "Livre et documentation"),
    ("other", 5, "Frais divers"),
)  # fmt: skip
QUARTER = Decimal("0.25")


class WorkGenerator:
    def __init__(self, ctx, people):
        self.ctx, self.people = ctx, people
        self.year = ctx.year
        self.contract_count = self.day_count = self.claim_count = 0

    # --- workers ---------------------------------------------------------------------------

    def write_workers(self):
        ctx = self.ctx
        rng = ctx.rng("workers")
        t = d.TOTALS
        employees = scaled(t["employees"], ctx.scale)
        outsiders = min(scaled(t["employees_not_holders"], ctx.scale), len(self.people.others_a))
        holders = [p for p in self.people.holders if any(u.invoices for u in p.units)]
        n_holders = max(1, min(len(holders), employees - outsiders))
        working = rng.sample(holders, n_holders)
        working.sort(key=lambda p: p.member_id)
        # Units employing others (p. 22): the larger billing, the likelier.
        active = self.people.active_units
        n_units = min(len(active), scaled(t["units_employing_others"], ctx.scale))
        keys = sorted(
            active, key=lambda u: -math.log(rng.random() or 1e-300) / (u.amount_cents or 1)
        )
        employing = sorted(keys[:n_units], key=lambda u: u.id)
        sizes = []
        for key in quota_list(rng, d.EMPLOYEES_PER_EMPLOYING_UNIT.weights(), n_units):
            sizes.append({"1": 1, "2": 2, "3+": 3}[key])
        three_plus = [i for i, size in enumerate(sizes) if size == 3]
        left = outsiders - sum(sizes)
        while left > 0 and three_plus:
            sizes[rng.choice(three_plus)] += 1
            left -= 1
        pool = list(self.people.others_a)
        rng.shuffle(pool)
        pool = [p for p in pool if p.user_id]
        first = ctx.writer.next_id(Worker)
        self.workers = []  # (worker id, person, units, is_holder)
        for p in working:
            self.workers.append([first + len(self.workers), p, [u for u in p.units if u.invoices]])
        assigned = 0
        for unit, size in zip(employing, sizes, strict=True):
            for _ in range(size):
                if assigned >= len(pool):
                    break
                person = pool[assigned]
                assigned += 1
                self.workers.append([first + len(self.workers), person, [unit]])
                unit.workers.append(person)
        member_ids = {w[1].member_id for w in self.workers}
        ctx.writer.copy(
            Worker,
            ["id", "first_name", "last_name", "email", "national_number", "birth_date", "iban",
             "street", "postal_code", "city", "country", "created_at", "member_id", "user_id"],
            (
                (wid, p.first_name, p.last_name, p.email, p.national_number, p.birth_date,
                 p.iban, p.street, p.postal_code, p.city, p.country,
                 at(max(p.member_since, date(2016, 1, 1)), 11 * 3600), p.member_id, p.user_id)
                for wid, p, _units in self.workers
            ),
        )  # fmt: skip
        assert len(member_ids) == len(self.workers)
        links = []
        for wid, p, units in self.workers:
            for unit in units:
                is_holder = unit.holder is p
                added = unit.opened_on if is_holder else max(
                    unit.opened_on, date(self.year, 1, 1) - timedelta(days=rng.randrange(900))
                )  # fmt: skip
                links.append((wid, unit, is_holder, added))
        first_link = ctx.writer.next_id(UnitWorker)
        ctx.writer.copy(
            UnitWorker,
            ["id", "is_holder", "added_on", "ended_on", "unit_id", "worker_id"],
            (
                (first_link + i, is_holder, added, None, unit.id, wid)
                for i, (wid, unit, is_holder, added) in enumerate(links)
            ),
        )
        worker_type, unit_type = ctx.content_type(Worker), ctx.content_type(ProductionUnit)
        ctx.audit_many(
            (at(max(p.member_since, date(2016, 1, 1)), 11 * 3600), None, "worker.created",
             worker_type, wid, f"{p.first_name} {p.last_name}", {"member": p.member_id})
            for wid, p, _units in self.workers
        )  # fmt: skip
        ctx.audit_many(
            (at(added, 11 * 3600 + 60), None, "unit_worker.added", unit_type, unit.id,
             f"{unit.code} · {unit.name}", {"worker": wid, "holder": is_holder})
            for wid, unit, is_holder, added in links
        )  # fmt: skip

    # --- contracts and work days -----------------------------------------------------------

    def _plan_hours(self, rng):
        """Monthly hours (p. 26, exact quotas, higher for higher billing), months worked and
        days a month calibrated on the report's hours, work days and contracts."""
        t, scale = d.TOTALS, self.ctx.scale
        n = len(self.workers)
        brackets = sorted(
            quota_list(rng, d.MONTHLY_HOURS.weights(), n), key=d.MONTHLY_HOURS.keys.index
        )

        def score(worker):
            _wid, p, units = worker
            billing = sum(u.amount_cents for u in units) / max(1, len(units[0].workers) + 1)
            return billing * math.exp(rng.gauss(0, 1.0))

        order = sorted(range(n), key=lambda i: score(self.workers[i]))
        plan = [None] * n
        for bracket, i in zip(brackets, order, strict=True):
            low, high = d.MONTHLY_HOURS_BOUNDS[bracket]
            hours = max(QUARTER, Decimal(round((low + (high - low) * rng.random()) * 4)) / 4)
            if hours >= high:
                hours = Decimal(high) - QUARTER
            plan[i] = [bracket, hours, rng.uniform(0.15, 1.85)]
        target_hours = scaled(t["hours"], scale)

        # Units opened during the year leave fewer months: calibrate with that cap.
        caps = [13 - self._first_month(units) for _wid, _p, units in self.workers]

        def months(lam, u, cap):
            return min(cap, max(1, round(lam * u)))

        lam = bisect_parameter(
            lambda x: sum(
                float(row[1]) * months(x, row[2], cap) for row, cap in zip(plan, caps, strict=True)
            ),
            target_hours,
            0.1,
            40,
        )
        for row, cap in zip(plan, caps, strict=True):
            row.append(months(lam, row[2], cap))
        target_days = scaled(t["work_days"], scale)

        def days_for(h0, hours):
            hours = float(hours)
            low = max(1, math.ceil(hours / 12))
            return max(low, min(22, int(hours * 4), round(hours / h0)))

        # More hours a day → fewer days: bisect on −h0 so the function increases.
        h0 = -bisect_parameter(
            lambda x: sum(days_for(-x, h) * m for _b, h, _u, m in plan), target_days, -14, -0.5
        )
        for row in plan:
            row.append(days_for(h0, row[1]))
        target_contracts = scaled(t["contracts"], scale)

        def contracts_for(rho, days):
            return max(1, min(days, round(days * rho)))

        rho = bisect_parameter(
            lambda x: sum(contracts_for(x, dd) * m for _b, _h, _u, m, dd in plan),
            target_contracts,
            0.0,
            1.0,
        )
        for row in plan:
            row.append(contracts_for(rho, row[4]))
        return plan

    def write_contracts(self):
        ctx = self.ctx
        rng = ctx.rng("work")
        plan = self._plan_hours(rng)
        types = {t.code: t for t in ContractType.objects.all()}
        start, end = date(self.year, 1, 1), date(self.year, 12, 31)
        parameters = {}
        for row in ContractTypeParameters.objects.in_force_on(start).select_related(
            "contract_type"
        ):
            parameters[row.contract_type.code] = to_contract_parameters(row)
        for row in ContractTypeParameters.objects.in_force_on(end):
            if row.valid_from > start:
                raise RuntimeError("contract parameters change during the year: not handled")
        table = withholding_table(start)
        months = {m: self._month_days(m) for m in range(1, 13)}
        entities = ctx.legal_entities
        open_ended = self._open_ended(plan)
        specs = []  # (start, worker id, unit, type code, function, [(day, hours)], rate)
        months_worked = []
        self.worker_days = defaultdict(list)
        for (wid, person, units), (_bracket, hours, _u, n_months, n_days, _contracts) in zip(
            self.workers, plan, strict=True
        ):
            available = list(range(self._first_month(units), 13))
            chosen = sorted(rng.sample(available, min(n_months, len(available))))
            rate = rng.uniform(17.0, 31.0)
            weights = cumulative([max(u.amount_cents, 1) for u in units])
            for month in chosen:
                unit = units[weighted_index(rng, weights)]
                pool = months[month]
                if unit.opened_on.year == self.year and unit.opened_on.month == month:
                    pool = [day for day in pool if day >= unit.opened_on] or pool[-1:]
                weekdays = [day for day in pool if day.weekday() < 5]
                source = weekdays if len(weekdays) >= n_days else pool
                dates = sorted(rng.sample(source, min(n_days, len(source))))
                count = len(dates)
                # A unit opened late in the month leaves fewer days: at most 12 h a day.
                quarters = min(int(hours * 4), 48 * count)
                split = [quarters // count + (1 if k < quarters % count else 0) for k in
                         range(count)]  # fmt: skip
                days = [(day, Decimal(q) / 4) for day, q in zip(dates, split, strict=True) if q]
                code = self._contract_type(unit, person, rng)
                code = "open-ended" if wid in open_ended else code
                function = FUNCTIONS[unit.sector]
                months_worked.append((wid, unit, code, function, days, rate))
        # Contracts per worker-month ∝ its days, calibrated on the days actually drawn.
        target = scaled(d.TOTALS["contracts"], ctx.scale)

        # Random rounding (a fixed draw per month) keeps the sum smooth in rho.
        draws = [rng.random() for _ in months_worked]

        def contracts_for(rho, count, draw):
            return max(1, min(count, math.floor(count * rho + draw)))

        rho = bisect_parameter(
            lambda x: sum(
                contracts_for(x, len(m[4]), u) for m, u in zip(months_worked, draws, strict=True)
            ),
            target,
            0.0,
            1.0,
        )
        for (wid, unit, code, function, days, rate), draw in zip(months_worked, draws, strict=True):
            chunks = contracts_for(rho, len(days), draw)
            size, extra = divmod(len(days), chunks)
            position = 0
            for k in range(chunks):
                length = size + (1 if k < extra else 0)
                chunk = days[position : position + length]
                position += length
                specs.append((chunk[0][0], wid, unit, code, function, chunk, rate))
        specs.sort(key=lambda spec: (spec[0], spec[1]))
        self._write_contract_rows(specs, types, parameters, table, entities)

    def _open_ended(self, plan) -> set[int]:
        """The workers on open-ended contracts (p. 26: 30 "membres en CDI"): drawn among
        those who work the most hours a month, outside Formateurs Associés (trainers)."""
        rng = self.ctx.rng("open-ended")
        pool = [
            wid
            for (wid, _person, units), (bracket, *_rest) in zip(self.workers, plan, strict=True)
            if bracket == "75+" and all(u.legal_entity != "formateurs-associes" for u in units)
        ]
        count = min(len(pool), scaled(d.TOTALS["open_ended_members"], self.ctx.scale))
        return set(rng.sample(pool, count))

    def _first_month(self, units) -> int:
        """The first month a worker can work in: their earliest unit's opening month (the
        next one when it opened after the 20th)."""
        opened = min(u.opened_on for u in units)
        if opened.year < self.year:
            return 1
        return opened.month + (1 if opened.day > 20 and opened.month < 12 else 0)

    def _month_days(self, month):
        first = date(self.year, month, 1)
        following = date(self.year + (month == 12), month % 12 + 1, 1)
        return [first + timedelta(days=i) for i in range((following - first).days)]

    def _contract_type(self, unit, person, rng):
        if unit.legal_entity == "formateurs-associes":
            return "trainer-fixed-term"
        if person.age_band == "-25" and rng.random() < 0.3:
            return "student"
        if self.ctx.sectors[unit.sector].is_artistic:
            return "artist-fixed-term"
        return "employee-fixed-term"

    def _write_contract_rows(self, specs, types, parameters, table, entities):
        ctx = self.ctx
        contract_id = ctx.writer.next_id(Contract)
        day_id = ctx.writer.next_id(WorkDay)
        dimona_id = ctx.writer.next_id(DimonaDeclaration)
        cost_id = ctx.writer.next_id(EmploymentCost)
        persons = {wid: person for wid, person, _units in self.workers}
        numbers: dict[str, int] = defaultdict(int)
        contracts, days_rows, dimonas, costs, audits = [], [], [], [], []
        contract_type_id = ctx.content_type(Contract)
        for first_day, wid, unit, code, function, chunk, rate in specs:
            entity = entities[unit.legal_entity]
            person = persons[wid]
            params = parameters[code]
            inputs = [DayInput(day, hours) for day, hours in chunk]
            gross = sum(
                (max(params.minimum_daily_gross, cents(Decimal(str(round(rate, 2))) * hours))
                 for _day, hours in chunk),
                Decimal("0.00"),
            )  # fmt: skip
            pay = employment_cost(gross=gross, parameters=params, withholding=table,
                                  days=len(chunk))  # fmt: skip
            numbers[entity.code] += 1
            reference = contract_reference_text(entity.code, self.year, numbers[entity.code])
            created = at(first_day - timedelta(days=3), 10 * 3600 + wid % 7200)
            last_day = chunk[-1][0]
            hours_total = sum((hours for _day, hours in chunk), Decimal(0))
            type_id = types[code].pk
            actor = unit.holder.user_id
            contracts.append(
                (contract_id, reference, function, first_day, last_day, len(chunk),
                 hours_total, pay.gross, pay.employer_charges, pay.net, "accepted",
                 created + timedelta(hours=2), "", "", created, type_id, entity.pk, None,
                 unit.id, None, None, wid, "")
            )  # fmt: skip
            day_gross = split_gross_by_hours(pay.gross, inputs)
            day_charges = split_gross_by_hours(pay.employer_charges, inputs)
            for (day, hours), g, c in zip(chunk, day_gross, day_charges, strict=True):
                days_rows.append(
                    (day_id, day, hours, function, g, False, contract_id, type_id, None,
                     unit.id, None, wid)
                )  # fmt: skip
                costs.append((cost_id, day, g, c, at(self._month_end(day), 20 * 3600),
                              type_id, unit.id, contract_id, None, day.replace(day=1)))  # fmt: skip
                self.worker_days[wid].append((day, unit))
                day_id += 1
                cost_id += 1
            dimonas.append(
                (dimona_id, "IN", first_day, last_day, person.national_number,
                 entity.enterprise_number, code, "accepted", "", "", "",
                 created + timedelta(minutes=5), created + timedelta(minutes=10), contract_id)
            )  # fmt: skip
            audits.append(
                (created, actor, "contract.created", contract_type_id, contract_id, reference,
                 {"reference": reference, "unit": unit.id, "worker": wid, "start": first_day,
                  "end": last_day, "days": len(chunk), "gross": str(pay.gross)})
            )  # fmt: skip
            contract_id += 1
            dimona_id += 1
        writer = ctx.writer
        writer.copy(
            Contract,
            ["id", "reference", "function", "start_date", "end_date", "days", "hours", "gross",
             "employer_charges", "net_estimate", "status", "accepted_at", "past_start_reason",
             "pdf", "created_at", "contract_type_id", "legal_entity_id",
             "past_start_approved_by_id", "unit_id", "job_id", "declaration_id", "worker_id",
             "pay_release_reason"],
            contracts,
        )  # fmt: skip
        writer.copy(
            WorkDay,
            ["id", "date", "hours", "function", "gross", "cancelled", "contract_id",
             "contract_type_id", "job_id", "unit_id", "declaration_id", "worker_id"],
            days_rows,
        )  # fmt: skip
        writer.copy(
            DimonaDeclaration,
            ["id", "kind", "start_date", "end_date", "worker_national_number",
             "employer_number", "contract_type_code", "status", "file", "channel_reference",
             "message", "created_at", "sent_at", "contract_id"],
            dimonas,
        )  # fmt: skip
        writer.copy(
            EmploymentCost,
            ["id", "work_date", "gross", "employer_charges", "created_at", "contract_type_id",
             "unit_id", "contract_id", "payslip_id", "period"],
            costs,
        )  # fmt: skip
        ctx.audit_many(audits)
        for code, last in numbers.items():
            ctx.counters[f"contract:{code}:{self.year}"] = last
        self.contract_count, self.day_count = len(contracts), len(days_rows)

    def _month_end(self, day):
        following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return following - timedelta(days=1)

    # --- expense claims --------------------------------------------------------------------

    def write_expenses(self):
        ctx = self.ctx
        rng = ctx.rng("expenses")
        total = scaled(d.TOTALS["expense_claims"], ctx.scale)
        workers = [wid for wid, _p, _u in self.workers if self.worker_days[wid]]
        if not workers:
            return
        weights = cumulative([len(self.worker_days[wid]) for wid in workers])
        categories = {c.code: c for c in ExpenseCategory.objects.all()}
        kinds = [(code, w, text) for code, w, text in EXPENSES if code in categories]
        kind_weights = cumulative([w for _c, w, _t in kinds])
        policies = list(PayrollPolicy.objects.order_by("valid_from"))
        persons = {wid: person for wid, person, _units in self.workers}
        first = ctx.writer.next_id(ExpenseClaim)
        rows = []
        advisors = ctx.advisor_user_ids
        for i in range(total):
            wid = workers[weighted_index(rng, weights)]
            day, unit = rng.choice(self.worker_days[wid])
            code, _w, text = kinds[weighted_index(rng, kind_weights)]
            distance = mileage_rate = None
            vat = Decimal("0.00")
            if categories[code].is_mileage:
                mileage_rate = self._mileage_rate(policies, day)
                distance = Decimal(rng.randint(8, 400))
                amount = cents(distance * mileage_rate)
            else:
                amount = cents(Decimal(str(round(math.exp(rng.gauss(3.4, 0.9)), 2))))
                amount = max(amount, Decimal("1.00"))
                if code in ("material", "communication", "training"):
                    vat = cents(amount * 21 / 121)
            decided = at(day + timedelta(days=rng.randint(2, 12)), 14 * 3600)
            rows.append(
                (first + i, decided, "", day, text, amount, vat, distance, mileage_rate, "",
                 "approved", at(day, 18 * 3600), categories[code].pk, persons[wid].user_id,
                 rng.choice(advisors) if advisors else None, None, unit.id, None, wid)
            )  # fmt: skip
        self.claim_count = ctx.writer.copy(
            ExpenseClaim,
            ["id", "decided_at", "decision_reason", "spent_on", "description", "amount", "vat",
             "distance_km", "mileage_rate", "receipt", "status", "created_at", "category_id",
             "created_by_id", "decided_by_id", "ledger_entry_id", "unit_id", "job_id",
             "worker_id"],
            rows,
        )  # fmt: skip

    def _mileage_rate(self, policies, day):
        rate = policies[0].mileage_rate
        for policy in policies:
            if policy.valid_from <= day and (policy.valid_to is None or policy.valid_to >= day):
                rate = policy.mileage_rate
        return rate
