"""Identifiers validated with python-stdnum, with messages a member can act on."""

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum import bic, iban
from stdnum.be import nn
from stdnum.be import vat as be_vat
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError

from .types import StrOrPromise

# ISO 3166-1 alpha-2: the officially assigned country codes.
_ISO_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
"""
ISO_COUNTRIES = frozenset(_ISO_CODES.split())


def validate_country(value: str) -> None:
    if value not in ISO_COUNTRIES:
        raise ValidationError(
            _("“%(value)s” is not a country code: use the two-letter ISO code, e.g. BE."),
            code="invalid",
            params={"value": value},
        )


def _check(module: ModuleType, value: str, message: StrOrPromise) -> None:
    try:
        module.validate(value)
    except StdnumError as exc:
        raise ValidationError(message, code="invalid", params={"value": value}) from exc


def validate_iban(value: str) -> None:
    _check(iban, value, _("“%(value)s” is not a valid IBAN (e.g. BE71 0961 2345 6769)."))


def validate_bic(value: str) -> None:
    _check(bic, value, _("“%(value)s” is not a valid BIC (e.g. GEBABEBB)."))


def validate_national_number(value: str) -> None:
    _check(
        nn,
        value,
        _("“%(value)s” is not a valid Belgian national register number (11 digits)."),
    )


def validate_enterprise_number(value: str) -> None:
    _check(
        be_vat,
        value,
        _("“%(value)s” is not a valid Belgian enterprise number (e.g. 0403.170.701)."),
    )


def validate_eu_vat(value: str) -> None:
    _check(eu_vat, value, _("“%(value)s” is not a valid EU VAT number (e.g. FR40303265045)."))


class _CompactField(models.CharField):
    """A CharField that stores the compact form of an identifier and validates it."""

    stdnum_module: ModuleType
    identifier_validator: Callable[[str], None]
    default_max_length: int

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", self.default_max_length)
        super().__init__(*args, **kwargs)
        self.validators.append(type(self).identifier_validator)

    def to_python(self, value: Any) -> str | None:
        value = super().to_python(value)
        if value:
            value = self.stdnum_module.compact(value)
        return value

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == self.default_max_length:
            kwargs.pop("max_length")
        return name, path, args, kwargs


class IBANField(_CompactField):
    stdnum_module = iban
    identifier_validator = staticmethod(validate_iban)
    default_max_length = 34


class BICField(_CompactField):
    stdnum_module = bic
    identifier_validator = staticmethod(validate_bic)
    default_max_length = 11


class NationalNumberField(_CompactField):
    stdnum_module = nn
    identifier_validator = staticmethod(validate_national_number)
    default_max_length = 11


class EnterpriseNumberField(_CompactField):
    stdnum_module = be_vat
    identifier_validator = staticmethod(validate_enterprise_number)
    default_max_length = 10


class EUVATField(_CompactField):
    stdnum_module = eu_vat
    identifier_validator = staticmethod(validate_eu_vat)
    default_max_length = 16


def format_enterprise_number(value: str) -> str:
    """0403170701 → 0403.170.701"""
    return f"{value[:4]}.{value[4:7]}.{value[7:]}" if value else ""


def format_iban(value: str) -> str:
    return iban.format(value) if value else ""


def mask_national_number(value: str) -> str:
    """Show only the two check digits: **.**.**-***.12."""
    if not value or len(value) != 11:
        return ""
    return f"**.**.**-***.{value[9:]}"


def mask_iban(value: str) -> str:
    """BE71 0961 2345 6769 → BE** **** **** 6769: the country and the last four characters."""
    value = iban.compact(value or "")
    if len(value) < 8:
        return ""
    masked = value[:2] + "*" * (len(value) - 6) + value[-4:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))


def mask_identifier(value: str) -> str:
    """The masked form of a national number (11 digits) or an IBAN."""
    value = iban.compact(value or "")
    if not value:
        return ""
    if value.isdigit():
        return mask_national_number(value)
    return mask_iban(value)
