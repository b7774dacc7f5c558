"""Helpers for the joining journey and membership portal tests: a camt.053 statement
crediting the cooperative's account, and a valid application as the portal form posts it."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from devtools.demo import national_number
from members.models import Member, MembershipDocument, Office

COOPERATIVE_IBAN = "BE15068211111130"  # SmartCoop SC (members migration 0002)
BIRTH = date(1991, 3, 8)


def camt053(*credits, statement_id: str = "2026-SHARES-1", day: date | None = None) -> bytes:
    """A camt.053.001.02 statement of the cooperative's account, one booked credit per
    (bank reference, amount, structured reference) in `credits`."""
    day = day or timezone.localdate()
    entries = "".join(
        f"""
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{day.isoformat()}</Dt></BookgDt>
        <AcctSvcrRef>{bank_reference}</AcctSvcrRef>
        <NtryDtls>
          <TxDtls>
            <RltdPties><Dbtr><Nm>NOUVEAU MEMBRE</Nm></Dbtr></RltdPties>
            <RmtInf>
              <Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp>
                <Ref>{reference}</Ref></CdtrRefInf></Strd>
            </RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>"""
        for bank_reference, amount, reference in credits
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>{day.isoformat()}T06:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{statement_id}</Id>
      <CreDtTm>{day.isoformat()}T06:00:00+01:00</CreDtTm>
      <Acct><Id><IBAN>{COOPERATIVE_IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>{entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


def application_data(**overrides) -> dict:
    """A valid category A application as the portal form posts it (2 shares)."""
    data = {
        "first_name": "Nora",
        "last_name": "Peeters",
        "national_number": national_number(BIRTH, 57),
        "birth_date": BIRTH.isoformat(),
        "gender": Member.Gender.FEMALE,
        "street": "Rue Haute 12",
        "postal_code": "1000",
        "city": "Bruxelles",
        "country": "BE",
        "email": "nora@example.test",
        "iban": "BE62 5100 0754 7061",
        "preferred_language": "en",
        "category": Member.Category.A,
        "planned_activity": "Illustratrice jeunesse",
        "office": Office.objects.get(code="bruxelles").pk,
        "shares": "2",
        "accepted_documents": [document.pk for document in MembershipDocument.objects.all()],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


TWO_SHARES = Decimal("60.00")  # 2 × 30 €, the price in force since 2016
