"""Contract types and expense categories are stored with a code and shown in the reader's
language (their stored names are French); one added by hand shows its stored name."""

import pytest
from django.utils import translation

from payroll.models import ContractType, ExpenseCategory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "contract_type", "category"),
    [
        ("fr", "Employé·e à durée déterminée", "Matériel et fournitures"),
        ("nl", "Bediende, bepaalde duur", "Materiaal en benodigdheden"),
        ("en", "Employee, fixed term", "Material and supplies"),
    ],
)
def test_labels_follow_the_language(language, contract_type, category):
    employee = ContractType.objects.get(code="employee-fixed-term")
    material = ExpenseCategory.objects.get(code="material")
    with translation.override(language):
        assert (str(employee), employee.label) == (contract_type, contract_type)
        assert str(material) == category


def test_a_type_added_by_hand_shows_its_name():
    added = ContractType.objects.create(code="intermittent", name="Intermittent·e")
    with translation.override("nl"):
        assert str(added) == "Intermittent·e"
