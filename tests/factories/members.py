"""Users, advisors, board members and members (members.services.member_create)."""

from datetime import date, timedelta

import factory
from django.contrib.auth.models import Group

from core import roles
from devtools.demo import national_number
from members.models import Member, Office, User
from members.services import member_create
from tests.factories.base import ServiceFactory


def office(code: str) -> Office:
    """One of the eight offices (data of the migrations: bruxelles, namur, gent, …)."""
    return Office.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    """An account without a role; `password` is "x"."""

    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.django.Password("x")

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        """UserFactory(role=roles.ADVISOR): the role's group."""
        _give_role(user, create, extracted)


def _give_role(user: User, create: bool, role: str | None) -> None:
    if create and role:
        user.groups.add(Group.objects.get(name=role))


class AdvisorFactory(UserFactory):
    """An advisor (staff, advisor role) of an office: Bruxelles unless told."""

    email = factory.Sequence(lambda n: f"advisor{n}@smartcoop.test")
    is_staff = True
    office = factory.LazyFunction(lambda: office("bruxelles"))

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        _give_role(user, create, extracted or roles.ADVISOR)


class BoardMemberFactory(UserFactory):
    """A board member's account (staff, board role)."""

    email = factory.Sequence(lambda n: f"board{n}@smartcoop.test")
    is_staff = True

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        _give_role(user, create, extracted or roles.BOARD)


def _birth_date(n: int) -> date:
    return date(1970, 1, 1) + timedelta(days=n % 10_000)


class MemberFactory(ServiceFactory):
    """A category A member with an account, admitted (member_create), of the Bruxelles office
    unless told; a valid national number of their birth date."""

    class Meta:
        model = Member

    by = None
    user = factory.SubFactory(
        UserFactory,
        first_name=factory.SelfAttribute("..first_name"),
        last_name=factory.SelfAttribute("..last_name"),
    )
    category = Member.Category.A
    first_name = "Marie"
    last_name = factory.Sequence(lambda n: f"Membre{n}")
    birth_date = factory.Sequence(_birth_date)
    national_number = factory.LazyAttributeSequence(
        lambda o, n: national_number(o.birth_date, 100 + (n // 10_000) % 800)
    )
    gender = Member.Gender.FEMALE
    office = factory.LazyFunction(lambda: office("bruxelles"))
    member_since = date(2020, 1, 1)
    street = "Rue Haute 5"
    postal_code = "1000"
    city = "Bruxelles"
    iban = "BE71096123456769"

    @classmethod
    def service(cls, *, by, **fields):
        return member_create(by=by, **fields)
