"""Peppol access points: the one interface the platform sends UBL documents through.

The cooperative does not run a Peppol access point itself: it hands each document to one
(a certified provider's REST service, or a folder that a connector picks up). Both speak
`AccessPoint.send`, which is idempotent by `document_id`: handing the same document twice
delivers it once and returns the same message id, so a retry after a crash or a timeout is
always safe.

Settings (read here, with their defaults):
- PEPPOL_ACCESS_POINT: "file" (default) or "http";
- PEPPOL_OUTBOX_DIR: the folder of the file outbox (default var/peppol-outbox);
- PEPPOL_AP_URL, PEPPOL_AP_TOKEN: the REST access point's base URL and bearer token;
- PEPPOL_AP_TIMEOUT: seconds to wait for the REST access point (default 30).
"""

import base64
import hashlib
import http.client
import json
import os
import re
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from lxml import etree

# Peppol document type identifiers are "<root namespace>::<root name>##<customization>::2.1"
# (Peppol Policy for use of identifiers, 4.2); the process is the document's ProfileID.
UBL_VERSION = "2.1"
UBL_ROOTS = {
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote",
}
NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}

# A participant is "<ICD scheme>:<identifier>", e.g. 0208:0450010021.
PARTICIPANT = re.compile(r"^[0-9]{4}:[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
# A document id becomes a file name: no path separators, no leading dot.
DOCUMENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,149}$")

# Message ids of the file outbox are derived from the document, so that writing the same
# document twice (even from two processes at once) yields the same id.
OUTBOX_NAMESPACE = uuid.UUID("6f1c1d36-3a0e-4c59-9d55-2f4f3c1a7e21")

# HTTP statuses worth retrying: timeout, conflict (the same key is being processed),
# too early, too many requests, and every server error.
RETRYABLE_STATUSES = {408, 409, 425, 429}


class TransientError(Exception):
    """A failure that may pass: network, timeout, 5xx, 429. Retry later.

    `retry_after` is the delay in seconds the access point asked for, when it said so.
    """

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """The access point refused the document (4xx): sending it again won't help."""


class AccessPoint(Protocol):
    def send(self, *, document_id: str, sender: str, receiver: str, ubl: bytes) -> str:
        """Hand over one UBL document; return the access point's message id.

        Raises TransientError (retry later) or PermanentError (refused).
        """
        ...


def describe_document(ubl: bytes) -> tuple[str, str]:
    """The Peppol (document type, process) identifiers of a UBL document.

    Raises PermanentError when it is not a UBL invoice or credit note with its
    CustomizationID and ProfileID.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(ubl, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise PermanentError(f"The document is not well-formed XML: {exc}") from exc
    if root.tag not in UBL_ROOTS:
        raise PermanentError(f"Not a UBL invoice or credit note: {root.tag}")
    customization = (root.findtext("cbc:CustomizationID", namespaces=NS) or "").strip()
    profile = (root.findtext("cbc:ProfileID", namespaces=NS) or "").strip()
    if not customization or not profile:
        raise PermanentError("The document has no CustomizationID or ProfileID.")
    namespace, name = root.tag[1:].split("}")
    return f"{namespace}::{name}##{customization}::{UBL_VERSION}", profile


def _check(document_id: str, sender: str, receiver: str) -> None:
    if not DOCUMENT_ID.match(document_id or ""):
        raise PermanentError(f"Invalid document id: {document_id!r}")
    for role, participant in (("sender", sender), ("receiver", receiver)):
        if not PARTICIPANT.match(participant or ""):
            raise PermanentError(f"Invalid Peppol {role} {participant!r}: use scheme:identifier.")


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old content or the new one, never a part."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class FileOutbox:
    """Writes <document_id>.xml (the UBL) then <document_id>.json (the envelope) to a folder.

    A connector that forwards the outbox to the Peppol network takes a document once its
    envelope exists: the envelope is written last, and each file appears whole (written
    aside, then renamed).
    """

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def send(self, *, document_id: str, sender: str, receiver: str, ubl: bytes) -> str:
        _check(document_id, sender, receiver)
        document_type, process = describe_document(ubl)
        digest = hashlib.sha256(ubl).hexdigest()
        envelope_path = self.directory / f"{document_id}.json"
        existing = self._read_envelope(envelope_path)
        if existing is not None:
            if (existing.get("sha256"), existing.get("receiver")) != (digest, receiver):
                raise PermanentError(
                    f"Document {document_id} is already in the outbox with another content "
                    "or receiver."
                )
            return existing["message_id"]
        message_id = str(uuid.uuid5(OUTBOX_NAMESPACE, f"{document_id}:{digest}"))
        envelope = {
            "message_id": message_id,
            "document_id": document_id,
            "sender": sender,
            "receiver": receiver,
            "document_type": document_type,
            "process": process,
            "sha256": digest,
            "created_at": timezone.now().isoformat(),
        }
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _write_atomically(self.directory / f"{document_id}.xml", ubl)
            _write_atomically(envelope_path, json.dumps(envelope, indent=2).encode())
        except OSError as exc:
            raise TransientError(f"Could not write to the outbox: {exc}") from exc
        return message_id

    @staticmethod
    def _read_envelope(path: Path) -> dict | None:
        try:
            return json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise TransientError(f"Could not read {path.name}: {exc}") from exc


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A POST must not be replayed elsewhere: a redirect is an error (a wrong URL)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpAccessPoint:
    """A REST access point: POST <url>/documents with a JSON body and a bearer token.

    Body: document_id, sender, receiver, document_type, process, sha256, and the UBL
    as base64 in `document`. The `Idempotency-Key` header carries the document id: the
    access point answers a repeated key with the first message id instead of sending
    again. Answer expected: 200/201/202 with {"id": "..."} (or "message_id").
    """

    def __init__(self, *, url: str, token: str, timeout: float = 30):
        if not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("PEPPOL_AP_URL must be an http(s) URL.")
        self.endpoint = url.rstrip("/") + "/documents"
        self.token = token
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect)

    def send(self, *, document_id: str, sender: str, receiver: str, ubl: bytes) -> str:
        _check(document_id, sender, receiver)
        document_type, process = describe_document(ubl)
        body = json.dumps(
            {
                "document_id": document_id,
                "sender": sender,
                "receiver": receiver,
                "document_type": document_type,
                "process": process,
                "sha256": hashlib.sha256(ubl).hexdigest(),
                "document": base64.b64encode(ubl).decode("ascii"),
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            self.endpoint,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Idempotency-Key": document_id,
                "User-Agent": "SmartCoop",
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status, payload = response.status, response.read(65536)
        except urllib.error.HTTPError as exc:
            raise self._error(exc.code, exc.read(2000), exc.headers) from exc
        except (OSError, http.client.HTTPException) as exc:
            # URLError, timeouts, refused or reset connections, truncated answers.
            raise TransientError(f"Access point unreachable: {exc}") from exc
        if status not in (200, 201, 202):
            raise self._error(status, payload, {})
        try:
            answer = json.loads(payload)
            message_id = str(answer.get("id") or answer.get("message_id") or "")
        except (ValueError, AttributeError):
            message_id = ""
        if not message_id:
            raise PermanentError(
                f"The access point accepted the document ({status}) without a message id."
            )
        return message_id

    @staticmethod
    def _error(status: int, payload: bytes, headers) -> Exception:
        detail = payload.decode("utf-8", "replace").strip()[:300]
        message = f"Access point answered {status}" + (f": {detail}" if detail else "")
        if status >= 500 or status in RETRYABLE_STATUSES:
            retry_after = (headers.get("Retry-After") or "").strip()
            return TransientError(
                message, retry_after=int(retry_after) if retry_after.isdigit() else None
            )
        return PermanentError(message)


def access_point() -> AccessPoint:
    """The access point the settings choose. Raises ImproperlyConfigured."""
    kind = getattr(settings, "PEPPOL_ACCESS_POINT", "file") or "file"
    if kind == "file":
        default = Path(settings.BASE_DIR) / "var" / "peppol-outbox"
        return FileOutbox(getattr(settings, "PEPPOL_OUTBOX_DIR", None) or default)
    if kind == "http":
        url = getattr(settings, "PEPPOL_AP_URL", "")
        token = getattr(settings, "PEPPOL_AP_TOKEN", "")
        if not url or not token:
            raise ImproperlyConfigured(
                "PEPPOL_ACCESS_POINT=http needs PEPPOL_AP_URL and PEPPOL_AP_TOKEN."
            )
        return HttpAccessPoint(
            url=url, token=token, timeout=float(getattr(settings, "PEPPOL_AP_TIMEOUT", 30))
        )
    raise ImproperlyConfigured(f"Unknown PEPPOL_ACCESS_POINT {kind!r}: use 'file' or 'http'.")
