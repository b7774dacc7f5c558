from .clients import EU_COUNTRIES, Client, ClientQuerySet
from .funding import FundingAgreement
from .invoices import (
    BRANDING_TEXTS,
    EMAIL_PLACEHOLDERS,
    EXEMPT_CATEGORIES,
    FROZEN_FIELDS,
    DocumentLine,
    FrozenError,
    Invoice,
    InvoiceBranding,
    InvoiceLayout,
    InvoiceLine,
    InvoiceQuerySet,
    InvoiceSeries,
    InvoicingPolicy,
    RecurringInvoice,
    UnitCode,
    VatCategory,
    VatExemptionReason,
    VatRate,
)
from .payments import BankStatement, LatePaymentRate, Payment, Reminder
from .purchases import Purchase
from .quotes import Quote, QuoteLine
from .sending import Transmission

__all__ = [
    "BRANDING_TEXTS", "EMAIL_PLACEHOLDERS", "InvoiceLayout",
    "EU_COUNTRIES", "EXEMPT_CATEGORIES", "FROZEN_FIELDS", "BankStatement", "Client",
    "ClientQuerySet", "DocumentLine", "FrozenError", "FundingAgreement", "Invoice",
    "InvoiceBranding", "InvoiceLine", "InvoiceQuerySet", "InvoiceSeries", "InvoicingPolicy",
    "LatePaymentRate", "RecurringInvoice",
    "Payment", "Purchase", "Quote", "QuoteLine", "Reminder", "Transmission", "UnitCode",
    "VatCategory", "VatExemptionReason", "VatRate",
]  # fmt: skip
