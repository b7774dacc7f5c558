"""Read ISO 20022 camt.053 bank statements (versions 001.02 to 001.13) with lxml.

Elements are found by their local name, so every version's namespace reads the same way.
Pure: no database. A bad file raises one ValidationError listing every problem found,
each naming where it is ("entry 3: amount missing").
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree
from stdnum import iban as stdnum_iban
from stdnum.be import ogm_vcs

CAMT053_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d{2}$")
# A Belgian structured communication inside free text: +++123/4567/89012+++, ***…***, or the
# twelve digits alone; candidates are kept only when their check digits hold.
FREE_TEXT_REFERENCE = re.compile(r"(?<!\d)(\d{3})\s*/?\s*(\d{4})\s*/?\s*(\d{5})(?!\d)")
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Transaction:
    """One movement on the account: an entry, or one transaction of a batch entry."""

    position: str  # "3", or "3.2" for the second transaction of entry 3
    amount: Decimal  # signed: positive received (CRDT), negative sent (DBIT)
    booked_on: date
    bank_reference: str  # the bank's own reference (AcctSvcrRef), "" when the bank gave none
    references: tuple[str, ...]  # valid Belgian structured references found, 12 digits each
    communication: str
    counterparty_name: str
    counterparty_iban: str

    @property
    def is_credit(self) -> bool:
        return self.amount > 0


@dataclass
class Statement:
    identifier: str
    iban: str
    created_on: date | None
    entry_count: int = 0
    not_booked: int = 0  # pending or information-only entries, not imported
    transactions: list[Transaction] = field(default_factory=list)


def structured_references_in(text: str) -> list[str]:
    """The valid Belgian structured references written in `text`, in order, without repeats."""
    found = []
    for match in FREE_TEXT_REFERENCE.finditer(text or ""):
        digits = "".join(match.groups())
        if ogm_vcs.is_valid(digits) and digits not in found:
            found.append(digits)
    return found


def parse_camt053(data: bytes) -> list[Statement]:
    """The statements of a camt.053 file. Raises ValidationError naming every problem."""
    root = _parse_xml(data)
    statements_xml = root.findall("BkToCstmrStmt/Stmt")
    if not statements_xml:
        raise ValidationError(_("The file holds no statement (BkToCstmrStmt/Stmt)."))
    problems: list[str] = []
    statements = []
    for number, stmt in enumerate(statements_xml, start=1):
        where = _("statement %(n)s: ") % {"n": number} if len(statements_xml) > 1 else ""
        statements.append(_read_statement(stmt, where, problems))
    if problems:
        raise ValidationError(problems)
    return statements


def _parse_xml(data: bytes):
    if not data or not data.strip():
        raise ValidationError(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(_("The file is larger than 50 MB."))
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True
    )
    try:
        tree = etree.fromstring(data, parser=parser).getroottree()
    except etree.XMLSyntaxError as exc:
        raise ValidationError(
            _("The file is not well-formed XML: %(error)s.") % {"error": exc.msg}
        ) from exc
    if tree.docinfo.doctype:
        raise ValidationError(_("The file declares a DTD: bank statements never do."))
    root = tree.getroot()
    namespace = etree.QName(root).namespace or ""
    if etree.QName(root).localname != "Document" or not (
        CAMT053_NAMESPACE.match(namespace) or namespace == ""
    ):
        raise ValidationError(
            _("This is not a camt.053 statement (the document is %(kind)s).")
            % {"kind": namespace or etree.QName(root).localname}
        )
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname
    if root.find("BkToCstmrStmt") is None:
        raise ValidationError(_("This is not a camt.053 statement (no BkToCstmrStmt)."))
    return root


def _text(element, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _date(element, paths: list[str]) -> tuple[date | None, str]:
    """The first date found under `paths` (a Dt, or the date part of a DtTm), and its text."""
    for path in paths:
        text = _text(element, path)
        if text:
            try:
                return date.fromisoformat(text[:10]), text
            except ValueError:
                return None, text
    return None, ""


def _read_statement(stmt, where: str, problems: list[str]) -> Statement:
    identifier = _text(stmt, "Id")
    if not identifier:
        problems.append(where + _("statement identifier (Stmt/Id) missing"))
    iban = stdnum_iban.compact(_text(stmt, "Acct/Id/IBAN"))
    if not iban:
        problems.append(where + _("account IBAN (Acct/Id/IBAN) missing"))
    elif not stdnum_iban.is_valid(iban):
        problems.append(where + _("account IBAN %(iban)s is not valid") % {"iban": iban})
    created_on, _raw = _date(stmt, ["CreDtTm", "FrToDt/ToDtTm"])
    statement = Statement(identifier=identifier, iban=iban, created_on=created_on)
    for index, entry in enumerate(stmt.findall("Ntry"), start=1):
        statement.entry_count += 1
        here = where + _("entry %(n)s: ") % {"n": index}
        status = _text(entry, "Sts/Cd") or _text(entry, "Sts")
        if status and status != "BOOK":
            statement.not_booked += 1
            continue
        statement.transactions.extend(_read_entry(entry, index, here, problems))
    return statement


def _amount(element, path: str, here: str, problems: list[str]) -> Decimal | None:
    found = element.find(path)
    text = (found.text or "").strip() if found is not None else ""
    if not text:
        problems.append(here + _("amount missing"))
        return None
    currency = found.get("Ccy", "")
    if currency != "EUR":
        problems.append(
            here + _("amount in %(ccy)s: only euro accounts are handled") % {"ccy": currency or "?"}
        )
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount != round(amount, 2):
        problems.append(
            here + _("amount %(text)s is not a positive amount in cents") % {"text": text}
        )
        return None
    return amount


def _sign(element, here: str, problems: list[str]) -> int | None:
    indicator = _text(element, "CdtDbtInd")
    if indicator == "CRDT":
        return 1
    if indicator == "DBIT":
        return -1
    problems.append(here + _("credit/debit indicator (CdtDbtInd) must be CRDT or DBIT"))
    return None


def _read_entry(entry, index: int, here: str, problems: list[str]) -> list[Transaction]:
    before = len(problems)
    amount = _amount(entry, "Amt", here, problems)
    sign = _sign(entry, here, problems)
    booked_on, raw = _date(entry, ["BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm"])
    if booked_on is None:
        problems.append(
            here
            + (
                _("booking date %(text)s is not a date") % {"text": raw}
                if raw
                else _("booking date (BookgDt) missing")
            )
        )
    details = entry.findall("NtryDtls/TxDtls")
    entry_reference = _text(entry, "AcctSvcrRef")
    # Each None came with its problem: the checks on None below only tell the type checker.
    if len(details) <= 1:
        detail = details[0] if details else None
        if len(problems) > before or amount is None or sign is None or booked_on is None:
            return []
        reference = entry_reference or (
            _text(detail, "Refs/AcctSvcrRef") if detail is not None else ""
        )
        return [_transaction(str(index), sign * amount, booked_on, reference, detail)]
    # A batch entry: one booking for several transactions, each with its own amount.
    parts = []
    for number, detail in enumerate(details, start=1):
        there = here + _("transaction %(n)s: ") % {"n": number}
        part_amount = _amount(
            detail,
            "Amt" if detail.find("Amt") is not None else "AmtDtls/TxAmt/Amt",
            there,
            problems,
        )
        part_sign = sign
        if detail.find("CdtDbtInd") is not None:
            part_sign = _sign(detail, there, problems)
        if part_amount is not None and part_sign is not None:
            parts.append((number, detail, part_amount, part_sign))
    if len(problems) > before or amount is None or sign is None or booked_on is None:
        return []
    total = sum((part_sign * part_amount for _n, _d, part_amount, part_sign in parts), Decimal(0))
    if total != sign * amount:
        problems.append(
            here
            + _("its transactions add up to %(sum)s, not to the entry's %(amount)s")
            % {"sum": total, "amount": sign * amount}
        )
        return []
    transactions = []
    for number, detail, part_amount, part_sign in parts:
        reference = _text(detail, "Refs/AcctSvcrRef") or (
            f"{entry_reference}/{number}" if entry_reference else ""
        )
        transactions.append(
            _transaction(f"{index}.{number}", part_sign * part_amount, booked_on, reference, detail)
        )
    return transactions


def _transaction(position, amount, booked_on, bank_reference, detail) -> Transaction:
    references: list[str] = []
    texts: list[str] = []
    name = iban = ""
    if detail is not None:
        for ref in detail.findall("RmtInf/Strd/CdtrRefInf/Ref"):
            value = (ref.text or "").strip()
            texts.append(value)
            digits = re.sub(r"\D", "", value)
            if len(digits) == 12 and ogm_vcs.is_valid(digits) and digits not in references:
                references.append(digits)
        for free in detail.findall("RmtInf/Ustrd"):
            value = " ".join((free.text or "").split())
            texts.append(value)
            references.extend(r for r in structured_references_in(value) if r not in references)
        party = "Dbtr" if amount > 0 else "Cdtr"
        name = _text(detail, f"RltdPties/{party}/Nm") or _text(detail, f"RltdPties/{party}/Pty/Nm")
        iban = stdnum_iban.compact(_text(detail, f"RltdPties/{party}Acct/Id/IBAN"))
    return Transaction(
        position=position,
        amount=amount,
        booked_on=booked_on,
        bank_reference=bank_reference,
        references=tuple(references),
        communication=" · ".join(text for text in texts if text)[:300],
        counterparty_name=name[:200],
        counterparty_iban=iban[:34],
    )
