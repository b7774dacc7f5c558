"""Payroll's models, one module per aggregate; every model is importable from here."""

from .contributions import ContributionPosting, ContributionRun, EmploymentCost
from .expenses import ExpenseClaim, Receipt
from .parameters import (
    ContractType,
    ContractTypeParameters,
    EmployerContributionRate,
    ExpenseCategory,
    JointCommittee,
    PayrollPolicy,
    StructuralReduction,
    WithholdingTaxBracket,
    WithholdingTaxScale,
    WorkerCategory,
)
from .pay import Attestation, PayoutBatch, PayoutLine, PayrollRun, Payslip
from .work import (
    Contract,
    DecisionFields,
    DimonaDeclaration,
    HeldReceipt,
    Job,
    JobExpense,
    WorkDay,
    WorkDeclaration,
)
from .workers import UnitWorker, Worker, WorkerInvitation

__all__ = [
    "ContractType",
    "ContractTypeParameters",
    "JointCommittee",
    "WithholdingTaxScale",
    "WithholdingTaxBracket",
    "PayrollPolicy",
    "EmployerContributionRate",
    "StructuralReduction",
    "WorkerCategory",
    "ExpenseCategory",
    "EmploymentCost",
    "ContributionRun",
    "ContributionPosting",
    "Worker",
    "UnitWorker",
    "WorkerInvitation",
    "DecisionFields",
    "Job",
    "JobExpense",
    "HeldReceipt",
    "WorkDeclaration",
    "Contract",
    "WorkDay",
    "DimonaDeclaration",
    "ExpenseClaim",
    "Receipt",
    "PayrollRun",
    "Payslip",
    "PayoutBatch",
    "PayoutLine",
    "Attestation",
]
