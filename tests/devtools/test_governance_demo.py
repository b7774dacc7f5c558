"""The demo holds a past assembly with published results, one open for voting where alice and
bob can vote whatever their number of shares and eve (joined after the record date) can't and
is told why, and the tellers' key of the open vote in the file the README names."""

import pytest
from django.urls import reverse

from devtools.seed import seed_demo
from governance.models import GeneralAssembly
from governance.tally import verify_ballots

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.DEMO_TELLERS_KEY_DIR = tmp_path
    return seed_demo()


def test_the_demo_has_a_published_and_an_open_assembly(demo, tmp_path, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    past = GeneralAssembly.objects.get(status=GeneralAssembly.Status.PUBLISHED)
    assert verify_ballots(past) == [] and past.ballot_count >= 2
    open_ = GeneralAssembly.objects.get(status__in=["convened", "voting_open"])
    key = tmp_path / f"demo-tellers-key-{open_.pk}.txt"
    assert open_.public_key in key.read_text()
    url = reverse("portal:assembly_detail", args=[open_.pk])
    for who in ("alice", "bob"):
        client.force_login(demo[who])
        assert "data-can-vote" in client.get(url).content.decode()
    from members.models import User

    client.force_login(User.objects.get(email="eve@smartcoop.test"))
    page = client.get(url).content.decode()
    assert 'data-cannot-vote="not_on_roll"' in page and "after the record date" in page
    # A cooptation waits for its ratification on the open assembly's agenda.
    ratification = open_.items.get(kind="ratification")
    assert ratification.mandate.ratification == "pending"
    # Denis, on the board, sees the board page.
    client.force_login(demo["denis"])
    board = client.get(reverse("portal:governance_board"))
    assert board.status_code == 200 and "Dubois" in board.content.decode()
    # Running it again changes nothing.
    seed_demo()
    assert GeneralAssembly.objects.count() == 2
