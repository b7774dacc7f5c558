"""Clients (p. 36) and the year's invoices (p. 22, p. 36), issued as invoice_issue issues
them: numbers per series and year from 1 without gaps in issue-date order, structured
references from invoicing.references, totals from invoicing.totals, the SHA-256 chain from
invoicing.chain, one turnover ledger entry per invoice and the same audit events."""

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from core.calendar import is_working_day
from invoicing.chain import GENESIS, canonical_content, compute_hash
from invoicing.invoice_services import _buyer_snapshot, _seller_snapshot
from invoicing.languages import default_client_language
from invoicing.models import EU_COUNTRIES, Client, Invoice, InvoiceLine, InvoicingPolicy
from invoicing.references import structured_reference
from invoicing.selectors import invoicing_policy_on
from invoicing.totals import LineInput, compute_totals
from production_units.models import LedgerEntry, ProductionUnit

from . import distributions as d
from .identifiers import (
    CITIES,
    COMPANY_TAILS,
    COMPANY_WORDS,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    FOREIGN_CITIES,
    LAST_NAMES,
    NON_PROFIT_TAILS,
    PUBLIC_BODIES,
    STREETS,
    enterprise_number,
    foreign_vat,
)
from .payments import Issued
from .people import at
from .sampling import cumulative, quota_list, scaled, split_cents, weighted_index
from .writer import as_json

BATCH = 20_000
Q3, Q4, CENT = Decimal("0.001"), Decimal("0.0001"), Decimal("0.01")
DESCRIPTIONS = {
    True: ("Prestation artistique", "Concert", "Représentation", "Création graphique",
           "Tournage", "Atelier créatif", "Scénographie", "Mixage et enregistrement"),
    False: ("Formation", "Prestation de services", "Accompagnement", "Traduction",
            "Développement web", "Séance de bien-être", "Animation", "Conseil"),
}  # fmt: skip


@dataclass(eq=False)
class ClientRow:
    id: int
    kind: str
    name: str
    country: str
    enterprise_number: str = ""
    vat_number: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    email: str = ""
    peppol_endpoint: str = ""


class _Lines:
    """`invoice.lines.all()` for an invoice not yet in the database."""

    def __init__(self, lines):
        self._lines = lines

    def all(self):
        return list(self._lines)


class _Doc:
    """A light stand-in with the attributes the service functions read: an issued invoice
    for invoicing.chain.canonical_content (with `lines`), a line, a unit, a seller. Model
    instances cost too much at 200,000 invoices; the functions are the services' own."""

    def __init__(self, **values):
        self.__dict__.update(values)


class InvoiceGenerator:
    def __init__(self, ctx, people):
        self.ctx, self.people = ctx, people
        self.year = ctx.year
        self.client_count = self.link_count = self.invoice_count = self.line_count = 0
        self.issued: list[Issued] = []  # what the payments stage needs

    # --- clients ---------------------------------------------------------------------------

    def write_clients(self):
        ctx = self.ctx
        rng = ctx.rng("clients")
        n = scaled(d.TOTALS["clients"], ctx.scale)
        countries = quota_list(rng, d.CLIENT_COUNTRY.weights(), n)
        foreign = quota_list(
            rng, d.FOREIGN_COUNTRIES.weights(), sum(1 for c in countries if c != "BE")
        )
        # Persons 18 %, public bodies 5 % (the public sector), the other legal persons
        # companies or non-profits.
        person = d.CLIENT_PERSONHOOD.weights()["person"]
        public = d.CLIENT_SECTOR.weights()["public"]
        legal = 1 - person - public
        kinds = quota_list(
            rng,
            {
                Client.Kind.PERSON: person,
                Client.Kind.PUBLIC_BODY: public,
                Client.Kind.COMPANY: legal * (1 - d.CLIENT_NON_PROFIT_SHARE),
                Client.Kind.NON_PROFIT: legal * d.CLIENT_NON_PROFIT_SHARE,
            },
            n,
        )
        first = ctx.writer.next_id(Client)
        used: set[str] = set()
        clients = []
        foreign_iter = iter(foreign)
        for i, (country, kind) in enumerate(zip(countries, kinds, strict=True)):
            if country != "BE":
                country = next(foreign_iter)
            row = ClientRow(id=first + i, kind=kind, name="", country=country)
            last = rng.choice(LAST_NAMES)
            if kind == Client.Kind.PERSON:
                given = rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)
                row.name = f"{given} {last}"
                row.email = f"client{row.id}@clients.smartcoop.test"
            elif kind == Client.Kind.PUBLIC_BODY:
                row.name = f"{rng.choice(PUBLIC_BODIES)} {rng.choice(self._cities(country))[1]}"
            elif kind == Client.Kind.NON_PROFIT:
                tail = rng.choice(NON_PROFIT_TAILS) if country == "BE" else "association"
                row.name = f"{rng.choice(COMPANY_WORDS)} {last} {tail}"
            else:
                tail = rng.choice(COMPANY_TAILS) if country == "BE" else "Ltd"
                row.name = f"{rng.choice(COMPANY_WORDS)} {last} {tail}"
            if kind != Client.Kind.PERSON:
                row.email = f"factures{row.id}@clients.smartcoop.test"
                if country == "BE":
                    row.enterprise_number = enterprise_number(rng, used)
                    if kind == Client.Kind.COMPANY:
                        row.vat_number = f"BE{row.enterprise_number}"
                    row.peppol_endpoint = f"0208:{row.enterprise_number}"
                elif country in EU_COUNTRIES and kind != Client.Kind.PUBLIC_BODY:
                    row.vat_number = foreign_vat(rng, country)
            row.postal_code, row.city = rng.choice(self._cities(country))
            row.street = f"{rng.choice(STREETS)} {rng.randint(1, 250)}"
            clients.append(row)
        self.clients = clients
        ctx.writer.copy(
            Client,
            ["id", "kind", "name", "country", "enterprise_number", "vat_number", "street",
             "postal_code", "city", "email", "peppol_endpoint", "verified_at", "created_at",
             "verified_by_id", "language"],
            (
                (c.id, c.kind, c.name[:200], c.country, c.enterprise_number, c.vat_number,
                 c.street, c.postal_code, c.city, c.email, c.peppol_endpoint,
                 at(date(self.year - 1, 12, 1), 10 * 3600 + c.id % 3600),
                 at(date(self.year - 1, 12, 1), 9 * 3600 + c.id % 3600),
                 rng.choice(ctx.advisor_user_ids) if ctx.advisor_user_ids else None,
                 default_client_language(c.country, c.postal_code))
                for c in clients
            ),
        )  # fmt: skip
        self.client_count = len(clients)
        self._plan_invoice_counts(ctx.rng("invoice-counts"))
        self._link_clients(ctx.rng("client-links"))

    def _cities(self, country):
        if country == "BE":
            return [city for cities in CITIES.values() for city in cities]
        return FOREIGN_CITIES.get(country, FOREIGN_CITIES["FR"])

    def _plan_invoice_counts(self, rng):
        """Invoices per active unit: at least one, more for larger billing (∝ amount^0.6),
        adding up to the report's count, an invoice being 15 € at least."""
        units = self.people.active_units
        target = max(len(units), scaled(d.TOTALS["invoices"], self.ctx.scale))
        weights = [(u.amount_cents / 100) ** 0.6 * (0.6 + 0.8 * rng.random()) for u in units]
        norm = sum(weights)
        caps = [max(1, u.amount_cents // 1500) for u in units]
        counts = [
            min(cap, max(1, round(target * w / norm))) for w, cap in zip(weights, caps, strict=True)
        ]
        order = sorted(range(len(units)), key=lambda i: -weights[i])
        diff = target - sum(counts)
        index = 0
        while diff and index < 50 * len(units):
            i = order[index % len(units)]
            if diff > 0 and counts[i] < caps[i]:
                counts[i] += 1
                diff -= 1
            elif diff < 0 and counts[i] > 1:
                counts[i] -= 1
                diff += 1
            index += 1
        for unit, count in zip(units, counts, strict=True):
            unit.invoices = count

    def _link_clients(self, rng):
        """Clients per holder (p. 19), spread over the holder's active units; each client is
        attached to at least one unit, popular clients to many."""
        holders = [p for p in self.people.holders if any(u.invoices for u in p.units)]
        wanted = quota_list(rng, d.CLIENTS_PER_HOLDER.weights(), len(holders))
        slots: list = []
        for p, key in zip(holders, wanted, strict=True):
            k = {"1": 1, "2": 2, "3-5": rng.randint(3, 5), "6+": rng.randint(6, 15)}[key]
            active = [u for u in p.units if u.invoices]
            k = max(len(active), min(k, sum(u.invoices for u in active)))
            per_unit = [1] * len(active)
            for _ in range(k - len(active)):
                choices = [i for i, u in enumerate(active) if per_unit[i] < u.invoices]
                per_unit[rng.choice(choices)] += 1
            for unit, count in zip(active, per_unit, strict=True):
                slots.extend([unit] * count)
        rng.shuffle(slots)
        ids = [c.id for c in self.clients]
        rng.shuffle(ids)
        popularity = cumulative([1 / (rank + 10) for rank in range(len(ids))])
        for position, unit in enumerate(slots):
            fresh = position < len(ids)
            client = ids[position] if fresh else ids[weighted_index(rng, popularity)]
            for _attempt in range(20):
                if client not in unit.clients:
                    break
                client = ids[weighted_index(rng, popularity)]
            else:
                continue
            unit.clients.append(client)
        # Clients left without a unit (fewer slots than clients) go to random active units.
        units = self.people.active_units
        for client in ids[len(slots) :]:
            unit = rng.choice(units)
            if client not in unit.clients:
                unit.clients.append(client)
        through = Client.units.through
        first = self.ctx.writer.next_id(through)
        links = [(client, unit.id) for unit in self.people.units for client in unit.clients]
        self.link_count = self.ctx.writer.copy(
            through,
            ["id", "client_id", "productionunit_id"],
            ((first + i, client, unit) for i, (client, unit) in enumerate(links)),
        )

    # --- invoices --------------------------------------------------------------------------

    def write_invoices(self):
        ctx = self.ctx
        rng = ctx.rng("invoices")
        start, end = date(self.year, 1, 1), date(self.year, 12, 31)
        # Issued on working days only (core.calendar: no weekend, no Belgian public holiday);
        # fewer in August, more in December.
        days = [
            start + timedelta(days=i)
            for i in range((end - start).days + 1)
            if is_working_day(start + timedelta(days=i))
        ]
        day_weights = cumulative(
            [0.6 if day.month == 8 else 1.3 if day.month == 12 else 1.0 for day in days]
        )
        clients = {c.id: c for c in self.clients}
        plans = []  # (series key, issue date, tiebreak, unit, client, cents)
        for unit in self.people.active_units:
            amounts = split_cents(rng, unit.amount_cents, unit.invoices)
            first_day = max(start, unit.opened_on)
            # The working days from the unit's opening (the year's last one for a unit opened
            # after it: a day early rather than in the next year).
            later = bisect_left(days, first_day)
            open_days = days[later:] or days[-1:]
            for k, cents_ in enumerate(amounts):
                day = days[weighted_index(rng, day_weights)]
                if day < first_day:
                    day = open_days[rng.randrange(len(open_days))]
                client = clients[unit.clients[k % len(unit.clients)]]
                plans.append((unit.legal_entity, day, rng.random(), unit, client, cents_))
        plans.sort(key=lambda plan: (plan[0], plan[1], plan[2]))
        self._policies: dict[date, object] = {}
        self._issue(plans, rng)

    def _lines(self, rng, unit, client, cents_: int):
        """One or two lines whose amounts add up to `cents_` exactly."""
        category, rate, reason = "S", Decimal("21.00"), None
        if client.country not in EU_COUNTRIES:
            category, rate = "O", Decimal("0.00")
        elif client.country != "BE" and client.vat_number:
            category, rate = "AE", Decimal("0.00")
        if category != "S":
            reason = self.ctx.exemptions[category].pk
        artistic = self.ctx.sectors[unit.sector].is_artistic
        description = rng.choice(DESCRIPTIONS[artistic])
        total = Decimal(cents_).scaleb(-2)
        lines = []
        if cents_ >= 20_000 and rng.random() < 0.35:
            count = rng.randint(2, 5)
            price = (total * Decimal("0.85") / count).quantize(CENT, rounding=ROUND_DOWN)
            rest = total - price * count
            lines.append((description, Decimal(count).quantize(Q3), "DAY", price.quantize(Q4)))
            lines.append(
                ("Frais de déplacement et de matériel", Decimal(1).quantize(Q3), "LS",
                 rest.quantize(Q4))
            )  # fmt: skip
        else:
            lines.append((description, Decimal(1).quantize(Q3), "C62", total.quantize(Q4)))
        totals = compute_totals(
            [LineInput(quantity, price, category, rate) for _d, quantity, _u, price in lines]
        )
        return lines, category, rate, reason, totals

    def _policy(self, day):
        """selectors.invoicing_policy_on(day), asked once per month: the policies of the year
        are read once and a day's is the latest in force (checked against invoicing_policy_on)."""
        if not self._policies:
            self._all_policies = list(InvoicingPolicy.objects.order_by("-valid_from", "-id"))
        if day not in self._policies:
            in_force = [
                p for p in self._all_policies
                if p.valid_from <= day and (p.valid_to is None or p.valid_to >= day)
            ]  # fmt: skip
            if not in_force:
                invoicing_policy_on(day)  # raises the service's ValidationError
            self._policies[day] = in_force[0]
        return self._policies[day]

    def _issue(self, plans, rng):
        ctx = self.ctx
        invoice_id = ctx.writer.next_id(Invoice)
        line_id = ctx.writer.next_id(InvoiceLine)
        entry_id = ctx.writer.next_id(LedgerEntry)
        invoice_type, unit_type = ctx.content_type(Invoice), ctx.content_type(ProductionUnit)
        sellers: dict[int, tuple] = {}  # unit id → (snapshot, JSON)
        buyers: dict[int, tuple] = {}  # client id → (snapshot, JSON)
        kind_label = str(Invoice.Kind.INVOICE.label)
        display_number = Invoice.display_number.fget
        numbers: dict[int, int] = {}
        previous: dict[int, str] = {}
        batch: dict[str, list] = {"invoices": [], "lines": [], "entries": [], "audits": []}
        for entity_code, day, _tie, unit, client, cents_ in plans:
            series = ctx.series[(entity_code, Invoice.Kind.INVOICE)]
            entity = ctx.legal_entities[entity_code]
            number = numbers.get(series.pk, 0) + 1
            numbers[series.pk] = number
            if unit.id not in sellers:
                # The service's own snapshot functions, on light stand-ins.
                stand_in = _Doc(
                    legal_entity=entity, unit=_Doc(code=unit.code, name=unit.name, tool=unit.tool)
                )
                seller = _seller_snapshot(stand_in)
                sellers[unit.id] = (seller, as_json(seller))
            if client.id not in buyers:
                buyer = _buyer_snapshot(client)
                buyers[client.id] = (buyer, as_json(buyer))
            lines, category, rate, reason, totals = self._lines(rng, unit, client, cents_)
            invoice = _Doc(
                id=invoice_id,
                kind=Invoice.Kind.INVOICE.value,
                legal_entity_id=entity.pk,
                series=series,
                series_id=series.pk,
                year=day.year,
                number=number,
                issue_date=day,
                # A service's invoice is issued on the day of its supply (legal mentions).
                supply_date=day,
                supply_period_end=None,
                due_date=day + timedelta(days=self._policy(day).payment_term_days),
                currency="EUR",
                structured_reference=structured_reference(
                    prefix=series.reference_prefix, year=day.year, number=number
                ),
                buyer_reference="",
                order_reference="",
                unit_id=unit.id,
                client_id=client.id,
                credited_invoice_id=None,
                seller=sellers[unit.id][0],
                buyer=buyers[client.id][0],
                net_total=totals.net_total,
                vat_total=totals.vat_total,
                total=totals.total,
            )
            line_objects = [
                _Doc(
                    id=line_id + position - 1,
                    position=position,
                    description=description,
                    quantity=quantity,
                    unit_code=unit_code,
                    unit_price=price,
                    vat_category=category,
                    vat_rate=rate,
                    exemption_reason_id=reason,
                    net_amount=amount,
                )
                for position, ((description, quantity, unit_code, price), amount) in enumerate(
                    zip(lines, totals.line_amounts, strict=True), start=1
                )
            ]
            invoice.lines = _Lines(line_objects)
            prev = previous.get(series.pk, GENESIS)
            digest = compute_hash(prev, canonical_content(invoice))
            previous[series.pk] = digest
            issued_at = at(day, 8 * 3600 + number % 36_000)
            actor = unit.holder.user_id
            display = display_number(invoice)
            batch["invoices"].append(
                (invoice_id, invoice.kind, "issued", day.year, number, day, day,
                 invoice.due_date, "EUR", "", "", "", unit.holder.language,
                 invoice.structured_reference, totals.net_total, totals.vat_total,
                 totals.total, sellers[unit.id][1], buyers[client.id][1], digest,
                 prev, issued_at, "", at(day, 7 * 3600), "", "", client.id, actor, None,
                 actor, entity.pk, unit.id, series.pk, False, "{}")
            )  # fmt: skip
            for line in line_objects:
                batch["lines"].append(
                    (line.id, line.position, line.description, line.quantity, line.unit_code,
                     line.unit_price, line.vat_category, line.vat_rate, line.net_amount,
                     invoice_id, line.exemption_reason_id)
                )  # fmt: skip
            line_id += len(line_objects)
            if totals.net_total:
                label = f"{kind_label} {display} · {client.name}"
                batch["entries"].append(
                    (entry_id, LedgerEntry.Kind.TURNOVER.value, totals.net_total, day,
                     label[:200], "invoice", as_json({"number": display, "client": client.name}),
                     str(invoice_id), issued_at, actor, invoice_type, unit.id)
                )  # fmt: skip
                batch["audits"].append(
                    (issued_at, actor, "ledger.posted", unit_type, unit.id,
                     f"{unit.code} · {unit.name}",
                     {"entry": entry_id, "kind": "turnover", "amount": str(totals.net_total)})
                )  # fmt: skip
                entry_id += 1
            batch["audits"].append(
                (issued_at, actor, "invoice.issued", invoice_type, invoice_id, display,
                 {"number": display, "total": totals.total})
            )  # fmt: skip
            self.issued.append(
                Issued(invoice_id, entity_code, day, invoice.due_date, totals.total, client,
                       invoice.structured_reference, display)
            )  # fmt: skip
            invoice_id += 1
            self.invoice_count += 1
            self.line_count += len(line_objects)
            if len(batch["invoices"]) >= BATCH:
                self._flush(batch)
        self._flush(batch)
        for series_pk, last in numbers.items():
            ctx.counters[f"invoice-series:{series_pk}:{self.year}"] = last

    def _flush(self, batch):
        writer = self.ctx.writer
        writer.copy(
            Invoice,
            ["id", "kind", "status", "year", "number", "issue_date", "supply_date", "due_date",
             "currency",
             "buyer_reference", "order_reference", "note", "language", "structured_reference",
             "net_total", "vat_total", "total", "seller", "buyer", "hash", "previous_hash",
             "issued_at", "rejection_reason", "created_at", "pdf", "ubl", "client_id",
             "created_by_id", "credited_invoice_id", "issued_by_id", "legal_entity_id",
             "unit_id", "series_id", "reminders_paused", "presentation"],
            batch["invoices"],
        )  # fmt: skip
        writer.copy(
            InvoiceLine,
            ["id", "position", "description", "quantity", "unit_code", "unit_price",
             "vat_category", "vat_rate", "net_amount", "invoice_id", "exemption_reason_id"],
            batch["lines"],
        )  # fmt: skip
        writer.copy(
            LedgerEntry,
            ["id", "kind", "amount", "booked_on", "label", "label_code", "label_params",
             "source_id", "created_at", "created_by_id", "source_type_id", "unit_id"],
            batch["entries"],
        )  # fmt: skip
        self.ctx.audit_many(batch["audits"])
        for rows in batch.values():
            rows.clear()
