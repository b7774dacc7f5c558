"""The operator's view: someone who can read the whole database at any moment (every table,
every row, ids, the order rows were written in) must not be able to pair a ballot with a
member, and must not be able to change a ballot without `verify_ballots` saying so.

Twelve members vote, each a different combination of choices, so that any pairing would be
recognisable. A "dump" is every row of every table of the database, read with plain SQL in
physical order (what pg_dump writes)."""

import base64
import re
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from nacl.public import PrivateKey

from governance import sealing
from governance.models import ClearBallot, EncryptedBallot, Participation
from governance.services.assemblies import agenda_item_add
from governance.services.roll import assembly_convene
from governance.services.voting import ballot_cast
from governance.tally import assembly_tally
from tests import governance_helpers as gh

pytestmark = pytest.mark.django_db

CHOICES = ["for", "against", "abstain", "blank"]


def dump() -> dict[str, list[tuple]]:
    """Every row of every table, in the order the database stores them."""
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the db
            names = [column[0] for column in cursor.description]
            tables[table] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return tables


def dump_text(tables) -> str:
    parts = []
    for rows in tables.values():
        for row in rows:
            for value in row.values():
                if isinstance(value, bytes | memoryview):
                    value = bytes(value)
                    parts.append(value.hex())
                    parts.append(base64.b64encode(value).decode())
                else:
                    parts.append(str(value))
    return "\n".join(parts)


@pytest.fixture
def election():
    people = gh.personas()
    admin = people["admin"]
    voters = [people["alice"].member, people["bob"].member, people["denis"].member]
    voters += [
        gh.plain_member(by=admin, first_name=f"Voter{i}", last_name="Test") for i in range(9)
    ]
    assembly = gh.draft_assembly(people["denis"])
    first = agenda_item_add(assembly=assembly, title="One", kind="ordinary", by=people["denis"])
    second = agenda_item_add(assembly=assembly, title="Two", kind="ordinary", by=people["denis"])
    convened = assembly_convene(assembly=assembly, by=people["denis"])
    # Voter i: a combination of its own, so each ballot says whose it is if paired.
    cast = []
    for i, voter in enumerate(voters):
        choices = {
            "items": {str(first.pk): CHOICES[i % 4], str(second.pk): CHOICES[i // 4]},
            "candidates": {},
        }
        receipt = ballot_cast(
            assembly=convened.assembly, voter=voter, choices=choices, now=gh.DURING
        ).receipt
        cast.append((voter, choices, receipt))
    return {**people, "assembly": convened.assembly, "key": convened.key_file, "cast": cast}


def _db_id(ballot):
    """A clear ballot's id as the database stores it (a uuid, or 32 hex digits on SQLite)."""
    return ClearBallot._meta.pk.get_db_prep_value(ballot.pk, connection)


def _private_key_forms(key_file: str) -> list[str]:
    private_b64 = re.search(r"private: (\S+)", key_file).group(1)
    raw = base64.b64decode(private_b64)
    return [private_b64, raw.hex()]


def test_a_dump_while_the_vote_is_open_holds_no_readable_ballot_and_no_key(election):
    tables = dump()
    text = dump_text(tables)
    # The private key is nowhere in the database, in any form.
    for form in _private_key_forms(election["key"]):
        assert form not in text
    # Sealed ballots: all of one size, none opens with any key but the tellers'.
    sealed = [bytes(s) for s in EncryptedBallot.objects.values_list("sealed", flat=True)]
    assert len(sealed) == 12 and len({len(s) for s in sealed}) == 1
    stranger = PrivateKey.generate()
    for blob in sealed:
        with pytest.raises(sealing.KeyError_):
            sealing.unseal(blob, key=stranger)
        assert b'"for"' not in blob and b'"against"' not in blob
    # No clear ballot exists yet, and no table links a member to a ballot.
    assert not ClearBallot.objects.exists()
    ballot_columns = {f.column for f in EncryptedBallot._meta.fields}
    assert ballot_columns == {"id", "assembly_id", "position", "sealed", "receipt", "chain"}


def test_a_dump_after_closing_pairs_no_ballot_with_a_member(election):
    assembly_tally(
        assembly=election["assembly"], key_file=election["key"], by=election["denis"], now=gh.AFTER
    )
    tables = dump()
    text = dump_text(tables)
    for form in _private_key_forms(election["key"]):
        assert form not in text
    # The sealed contents are erased: a receipt no longer leads to a content.
    assert not any(bytes(s) for s in EncryptedBallot.objects.values_list("sealed", flat=True))
    # Clear ballots: random (version 4) ids, no column but the assembly and the choices.
    assert {f.column for f in ClearBallot._meta.fields} == {"id", "assembly_id", "choices"}
    clear_rows = tables[ClearBallot._meta.db_table]
    ids = [uuid.UUID(str(row["id"])) for row in clear_rows]
    assert all(i.version == 4 for i in ids)
    # The operator's best guess, pairing the n-th participation with the n-th clear row (in
    # the order the database stores them, or sorted by id), does not give each voter's ballot.
    import json

    participations = list(
        Participation.objects.filter(assembly=election["assembly"])
        .order_by("id")
        .values_list("member_id", flat=True)
    )
    voted = {voter.pk: choices for voter, choices, _receipt in election["cast"]}
    stored = [
        row["choices"] if isinstance(row["choices"], dict) else json.loads(row["choices"])
        for row in clear_rows
    ]
    by_id = [c for _i, c in sorted(zip(ids, stored, strict=True))]
    for guess in (stored, by_id):
        matches = sum(voted[m] == c for m, c in zip(participations, guess, strict=True))
        # A shuffle of 12 distinct ballots leaves all 12 in place with probability 1/12!.
        assert matches < 12
    # (The comparison itself works: pairing each voter with their own ballot matches all 12.)
    assert sum(voted[m] in stored for m in participations) == 12
    # Still, every ballot was counted, once.
    canonical = lambda ballot: json.dumps(ballot, sort_keys=True)  # noqa: E731
    assert sorted(map(canonical, stored)) == sorted(map(canonical, voted.values()))


def test_verify_ballots_detects_a_sealed_ballot_changed_while_open(election, capsys):
    call_command("verify_ballots", election["assembly"].pk)
    victim = EncryptedBallot.objects.get(assembly=election["assembly"], position=5)
    forged = sealing.seal(
        {"items": {}, "candidates": {}}, public_hex=election["assembly"].public_key
    )
    with connection.cursor() as cursor:  # behind the application's back
        cursor.execute(
            "UPDATE governance_encryptedballot SET sealed = %s WHERE id = %s", [forged, victim.pk]
        )
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_ballots", election["assembly"].pk)
    assert exit_.value.code == 1
    assert f"ballot 5 (receipt {victim.receipt}) was changed" in capsys.readouterr().err


def test_verify_ballots_detects_a_ballot_replaced_with_its_receipt_while_open(election, capsys):
    victim = EncryptedBallot.objects.get(assembly=election["assembly"], position=3)
    forged = sealing.seal(
        {"items": {}, "candidates": {}}, public_hex=election["assembly"].public_key
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE governance_encryptedballot SET sealed = %s, receipt = %s WHERE id = %s",
            [forged, sealing.receipt_of(forged), victim.pk],
        )
    with pytest.raises(SystemExit):
        call_command("verify_ballots", election["assembly"].pk)
    err = capsys.readouterr().err
    assert "ballot 3" in err and "the chain is broken at this link" in err


def test_verify_ballots_detects_a_counted_ballot_changed_after_closing(election, capsys):
    assembly = assembly_tally(
        assembly=election["assembly"], key_file=election["key"], by=election["denis"], now=gh.AFTER
    )
    call_command("verify_ballots", assembly.pk)
    assert "verified" in capsys.readouterr().out
    victim = ClearBallot.objects.filter(assembly=assembly).first()
    changed = dict(victim.choices)
    item_id = next(iter(changed["items"]))
    old = changed["items"][item_id]
    changed["items"] = {**changed["items"], item_id: "against" if old != "against" else "for"}
    with connection.cursor() as cursor:
        import json

        cursor.execute(
            "UPDATE governance_clearballot SET choices = %s WHERE id = %s",
            [json.dumps(changed), _db_id(victim)],
        )
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_ballots", assembly.pk)
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "MISMATCH" in err and "SHA-256 differs" in err


def test_verify_ballots_detects_a_counted_ballot_removed(election, capsys):
    assembly = assembly_tally(
        assembly=election["assembly"], key_file=election["key"], by=election["denis"], now=gh.AFTER
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM governance_clearballot WHERE id = %s",
            [_db_id(ClearBallot.objects.filter(assembly=assembly).first())],
        )
    with pytest.raises(SystemExit):
        call_command("verify_ballots", assembly.pk)
    assert "11 counted ballots for 12 receipts" in capsys.readouterr().err
