"""The pain.001 (SEPA credit transfer initiation) writer, around `sepaxml`.

One file = one message (MsgId = the batch reference) with one payment information block
(one debtor account, one requested execution date) and one transaction per payout line.
Every file is validated against sepaxml's bundled ISO 20022 XSD (with lxml: see `_schema`).

sepaxml makes its identifiers at random; ours are derived from the batch and the lines so
that the same lines always give the same file, apart from the creation timestamp (CreDtTm).
"""

import functools
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import sepaxml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree
from sepaxml import SepaTransfer
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban

from core.money import cents

# ISO 20022 2019 version, the one the EPC SEPA Credit Transfer rulebook uses since 2023.
SCHEMA = "pain.001.001.09"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
END_TO_END_PREFIX = "SCPAY"


@dataclass(frozen=True)
class Debtor:
    """Who pays: the account the transfers are debited from."""

    name: str
    iban: str
    bic: str = ""  # empty: the bank finds it from the IBAN (no DbtrAgt BIC is written)


@dataclass(frozen=True)
class Transfer:
    """One credit transfer: to whom, how much, with which remittance text."""

    end_to_end_id: str
    name: str
    iban: str
    amount: Decimal
    remittance: str


def end_to_end_id(line_id: int) -> str:
    """The transaction's end-to-end id (≤ 35 characters), derived from the payout line's id:
    the bank reports it back on the statement, so a transfer finds its line."""
    return f"{END_TO_END_PREFIX}-{line_id}"


def iban_is_valid(value: str) -> bool:
    return bool(value) and stdnum_iban.is_valid(value)


class _Transfer(SepaTransfer):
    """sepaxml's transfer with our message id and payment information ids."""

    def __init__(self, config, *, message_id: str):
        self._message_id = message_id
        super().__init__(config, schema=SCHEMA, clean=True)

    def _create_header(self):
        self.msg_id = self._message_id
        super()._create_header()

    def _finalize_batch(self):
        super()._finalize_batch()
        for index, node in enumerate(self._xml.iter("PmtInfId"), start=1):
            node.text = f"{self._message_id}-{index}"[:35]
        # Without a BIC, the EPC guidelines name the debtor's bank "NOTPROVIDED".
        for agent in self._xml.iter("DbtrAgt"):
            institution = agent.find("FinInstnId")
            if institution is not None and len(institution) == 0:
                other = ET.SubElement(institution, "Othr")
                ET.SubElement(other, "Id").text = "NOTPROVIDED"


def pain001(
    *, message_id: str, debtor: Debtor, execution_date: date, transfers: list[Transfer]
) -> bytes:
    """The pain.001 file of `transfers`, validated against the XSD.

    Raises ValidationError when there is nothing to pay, an amount is not a positive number
    of cents, an IBAN is invalid, or the schema refuses the file.
    """
    if not transfers:
        raise ValidationError(_("A credit transfer file needs at least one transfer."))
    config = {
        "name": debtor.name,
        "IBAN": stdnum_iban.compact(debtor.iban),
        "batch": True,
        "currency": "EUR",
    }
    if debtor.bic:
        config["BIC"] = stdnum_bic.compact(debtor.bic)
    document = _Transfer(config, message_id=message_id)
    for transfer in transfers:
        amount = cents(transfer.amount)
        if amount != transfer.amount or amount <= 0:
            raise ValidationError(
                _("Transfer %(id)s: the amount must be a positive number of cents.")
                % {"id": transfer.end_to_end_id}
            )
        if not iban_is_valid(transfer.iban):
            raise ValidationError(
                _("Transfer %(id)s: the IBAN is not valid.") % {"id": transfer.end_to_end_id}
            )
        document.add_payment(
            {
                "name": transfer.name,
                "IBAN": stdnum_iban.compact(transfer.iban),
                "amount": int(amount * 100),
                "execution_date": execution_date,
                "description": transfer.remittance,
                "endtoend_id": transfer.end_to_end_id,
            }
        )
    root = etree.fromstring(document.export(validate=False))
    content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    schema = _schema()
    if not schema.validate(root):
        raise ValidationError(
            _("The credit transfer file does not follow the pain.001 schema: %(error)s")
            % {"error": schema.error_log.last_error}
        )
    return content


@functools.cache
def _schema() -> etree.XMLSchema:
    """sepaxml's bundled XSD, compiled by libxml2: sepaxml's own check (xmlschema, in pure
    Python) takes seconds per thousand transfers, this one milliseconds."""
    return etree.XMLSchema(
        etree.parse(str(Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"))
    )
