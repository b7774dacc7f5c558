"""core.cached: an answer kept in the cache until a followed model's row is saved or deleted."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import post_migrate

from core.cached import SignalCached

pytestmark = pytest.mark.django_db

computed: list[tuple] = []


def _group_names(prefix: str) -> list[str]:
    computed.append((prefix,))
    return sorted(Group.objects.filter(name__startswith=prefix).values_list("name", flat=True))


names = SignalCached("tests-group-names", _group_names)
names.follow(Group)


@pytest.fixture(autouse=True)
def _fresh():
    computed.clear()


def test_an_answer_is_computed_once_per_key():
    Group.objects.create(name="x-one")
    assert names.get("x-") == ["x-one"]
    assert names.get("x-") == ["x-one"]
    assert names.get("y-") == []
    assert names.get("y-") == []
    assert computed == [("x-",), ("y-",)]


def test_an_empty_answer_is_kept_too():
    assert names.get("zz-") == []
    assert names.get("zz-") == []
    assert computed == [("zz-",)]


def test_a_save_or_a_delete_of_a_followed_model_forgets_every_answer():
    group = Group.objects.create(name="x-one")
    assert names.get("x-") == ["x-one"]
    assert names.get("y-") == []
    group.name = "y-one"
    group.save()
    assert names.get("x-") == []
    assert names.get("y-") == ["y-one"]
    group.delete()
    assert names.get("y-") == []
    assert len(computed) == 5


def test_an_answer_kept_before_the_commit_is_forgotten_at_the_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.create(name="x-one")
        # A reader who did not see the new row yet keeps what it read, under the generation
        # renewed at the save.
        cache.set(names._key(("x-",)), (cache.get(names.generation_key), []))
        assert names.get("x-") == []
    assert names.get("x-") == ["x-one"]


def test_given_objects_go_to_the_computation_and_not_into_the_key():
    seen = []
    echo = SignalCached("tests-echo", lambda key, *, obj: seen.append(obj) or obj)
    assert echo.get(1, obj="first") == "first"
    assert echo.get(1, obj="second") == "first"
    assert seen == ["first"]


def test_migrate_makes_every_answer_computed_again():
    assert names.get("x-") == []
    Group.objects.bulk_create([Group(name="x-bulk")])  # no signal
    assert names.get("x-") == []
    core = apps.get_app_config("core")
    post_migrate.send(
        sender=core, app_config=core, verbosity=0, interactive=False, using="default", plan=[],
        apps=apps,
    )  # fmt: skip
    assert names.get("x-") == ["x-bulk"]
