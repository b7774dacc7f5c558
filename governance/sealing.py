"""Sealing ballots to the tellers' key, and the SHA-256 chain of sealed ballots.

A ballot is sealed with an X25519 sealed box (libsodium through PyNaCl): anyone holding the
assembly's public key can seal, only the private key opens. A sealed box takes a fresh
ephemeral key each time, so two identical ballots give two unrelated ciphertexts, and the
plain ballot is padded to a fixed size so that the length says nothing about the choices.
"""

import base64
import hashlib
import json

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

# Ballots are padded to a multiple of this many bytes before sealing.
PAD_TO = 512
KEY_FILE_HEADER = "SmartCoop tellers' private key"


class KeyError_(ValueError):
    """The key given to the count is not the assembly's (or not a key at all)."""


def new_keypair() -> tuple[str, bytes]:
    """A fresh key pair: the public key as hex (kept by the assembly) and the private key as
    the bytes of a key file (handed to the tellers, never stored)."""
    private = PrivateKey.generate()
    public_hex = private.public_key.encode().hex()
    return public_hex, private.encode()


def key_file_text(*, assembly_id: int, title: str, private: bytes, public_hex: str) -> str:
    """The text of the tellers' key file."""
    return (
        f"{KEY_FILE_HEADER}\n"
        f"assembly: {assembly_id} — {title}\n"
        f"public: {public_hex}\n"
        f"private: {base64.b64encode(private).decode()}\n"
    )


def read_key_file(text: str | bytes, *, public_hex: str) -> PrivateKey:
    """The private key of a key file, checked against the assembly's public key."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise KeyError_("not a key file") from error
    private_b64 = None
    for line in text.splitlines():
        if line.startswith("private:"):
            private_b64 = line.split(":", 1)[1].strip()
    if not private_b64:
        raise KeyError_("not a key file")
    try:
        key = PrivateKey(base64.b64decode(private_b64, validate=True))
    except (ValueError, TypeError) as error:
        raise KeyError_("not a key file") from error
    if key.public_key.encode().hex() != public_hex:
        raise KeyError_("this key is not the assembly's")
    return key


def encode_ballot(choices: dict) -> bytes:
    """The canonical bytes of a ballot, padded with spaces to a multiple of PAD_TO."""
    raw = json.dumps(choices, sort_keys=True, separators=(",", ":")).encode()
    size = (len(raw) // PAD_TO + 1) * PAD_TO
    return raw + b" " * (size - len(raw))


def decode_ballot(raw: bytes) -> dict:
    return json.loads(raw.rstrip(b" ").decode())


def seal(choices: dict, *, public_hex: str) -> bytes:
    return SealedBox(PublicKey(bytes.fromhex(public_hex))).encrypt(encode_ballot(choices))


def unseal(sealed: bytes, *, key: PrivateKey) -> dict:
    try:
        return decode_ballot(SealedBox(key).decrypt(bytes(sealed)))
    except CryptoError as error:
        raise KeyError_("a ballot does not open with this key") from error


def receipt_of(sealed: bytes) -> str:
    """A voter's receipt: the SHA-256 of their sealed ballot."""
    return hashlib.sha256(bytes(sealed)).hexdigest()


def next_link(previous: str, receipt: str) -> str:
    """The chain after one more ballot: SHA-256 of the previous link and the receipt."""
    return hashlib.sha256(f"{previous}:{receipt}".encode()).hexdigest()


def canonical(choices: dict) -> str:
    """A clear ballot's canonical JSON line (sorted keys, no spaces)."""
    return json.dumps(choices, sort_keys=True, separators=(",", ":"))


def lines_digest(lines) -> str:
    """The SHA-256 of canonical JSON lines, independent of their order: the lines sorted."""
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


def ballots_digest(choices_list) -> str:
    """The SHA-256 of the counted ballots, independent of their order: their canonical JSON
    lines sorted."""
    return lines_digest(canonical(c) for c in choices_list)


def roll_digest(numbers) -> str:
    """The published SHA-256 of a voter roll: the member numbers in ascending order, one a line."""
    return hashlib.sha256("".join(f"{n}\n" for n in sorted(numbers)).encode()).hexdigest()
