"""Governance: the statutes' dated rules, general assemblies and their votes, the board's
mandates and the ethics committee.

The models are split by aggregate: assemblies.py (the assembly, its agenda, roll, proxies),
voting.py (participation and ballots, kept apart so that nobody can pair them), board.py
(mandates, candidacies, cooptations), ethics.py (the ethics committee).
"""

from .assemblies import (
    AgendaDocument,
    AgendaItem,
    ElectionCandidate,
    GeneralAssembly,
    GovernancePolicy,
    Proxy,
    VoterRollEntry,
)
from .board import Candidacy, Mandate
from .ethics import EthicsCase, EthicsCommitteeTerm, EthicsMeeting
from .voting import ClearBallot, EncryptedBallot, ItemResult, PaperTally, Participation

__all__ = [
    "AgendaDocument",
    "AgendaItem",
    "Candidacy",
    "ClearBallot",
    "ElectionCandidate",
    "EncryptedBallot",
    "EthicsCase",
    "EthicsCommitteeTerm",
    "EthicsMeeting",
    "GeneralAssembly",
    "GovernancePolicy",
    "ItemResult",
    "Mandate",
    "PaperTally",
    "Participation",
    "Proxy",
    "VoterRollEntry",
]
