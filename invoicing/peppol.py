"""Validation of a UBL document against the official Peppol BIS Billing 3.0 artefacts.

Three checks, the ones every Peppol access point runs: the OASIS UBL 2.1 schema, the
EN 16931 business rules (CEN-EN16931-UBL.xslt) and the Peppol rules
(PEPPOL-EN16931-UBL.xslt). The artefacts are not part of this repository: they are read
from settings.PEPPOL_RULES_DIR. The two stylesheets are XSLT 2, so they run on Saxon
(saxonche, a dev dependency): it is imported only when a validation is asked for.

Compiling the stylesheets and the schemas takes seconds, so each is compiled once per
process and kept; a validation then takes a fraction of a second.
"""

import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from lxml import etree

SVRL = "http://purl.oclc.org/dsdl/svrl"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"

SCHEMAS = {
    f"{{{INVOICE_NS}}}Invoice": "ubl-2.1-xsd/maindoc/UBL-Invoice-2.1.xsd",
    f"{{{CREDIT_NOTE_NS}}}CreditNote": "ubl-2.1-xsd/maindoc/UBL-CreditNote-2.1.xsd",
}
STYLESHEETS = ("CEN-EN16931-UBL.xslt", "PEPPOL-EN16931-UBL.xslt")


class RulesUnavailable(RuntimeError):
    """The validation artefacts (or saxonche) are not installed here."""


@dataclass(frozen=True)
class Violation:
    """One failed check: `rule` is the rule id (e.g. PEPPOL-EN16931-R003, BR-CO-15, XSD)."""

    rule: str
    text: str
    location: str = ""
    flag: str = "fatal"
    source: str = ""

    @property
    def is_error(self) -> bool:
        return self.flag in ("fatal", "error", "")

    def __str__(self):
        where = f" at {self.location}" if self.location else ""
        return f"[{self.rule}] {self.text}{where}"


@dataclass(frozen=True)
class ValidationReport:
    errors: list[Violation]
    warnings: list[Violation]

    @property
    def ok(self) -> bool:
        return not self.errors


def rules_dir() -> Path:
    return Path(settings.PEPPOL_RULES_DIR)


def rules_available() -> bool:
    """The artefacts are in PEPPOL_RULES_DIR (saxonche must be installed to run them)."""
    directory = rules_dir()
    return all((directory / name).is_file() for name in STYLESHEETS) and all(
        (directory / path).is_file() for path in SCHEMAS.values()
    )


_lock = threading.Lock()


@cache
def _schema(directory: str, path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(Path(directory) / path)))


@cache
def _saxon():
    try:
        from saxonche import PySaxonProcessor  # inside: a dev dependency, maybe absent
    except ImportError as exc:  # pragma: no cover - saxonche is a dev dependency
        raise RulesUnavailable("saxonche is not installed: pip install saxonche") from exc
    return PySaxonProcessor(license=False)


@cache
def _stylesheet(directory: str, name: str):
    processor = _saxon()
    compiler = processor.new_xslt30_processor()
    return compiler.compile_stylesheet(stylesheet_file=str(Path(directory) / name))


def warm_up() -> None:
    """Compile the schemas and stylesheets now (they are cached for the process)."""
    if not rules_available():
        raise RulesUnavailable(f"No Peppol validation artefacts in {rules_dir()}")
    directory = str(rules_dir())
    with _lock:
        for path in SCHEMAS.values():
            _schema(directory, path)
        for name in STYLESHEETS:
            _stylesheet(directory, name)


def _check_schema(doc: etree._ElementTree, directory: str) -> list[Violation]:
    root_tag = doc.getroot().tag
    if root_tag not in SCHEMAS:
        return [
            Violation("XSD", f"The root element {root_tag} is not a UBL Invoice or CreditNote.")
        ]
    schema = _schema(directory, SCHEMAS[root_tag])
    if schema.validate(doc):
        return []
    return [
        Violation("XSD", error.message, location=f"line {error.line}", source="UBL-2.1-XSD")
        for error in schema.error_log
    ]


def _check_rules(xml_text: str, directory: str, name: str) -> list[Violation]:
    from saxonche import PySaxonApiError  # inside: a dev dependency, maybe absent

    processor = _saxon()
    try:
        node = processor.parse_xml(xml_text=xml_text)
        svrl = _stylesheet(directory, name).transform_to_string(xdm_node=node)
    except PySaxonApiError as exc:
        # The rules assume a schema-valid document: on some invalid ones an XPath
        # expression fails (e.g. two IssueDate). That is an error, never a crash.
        message = " ".join(str(exc).split())
        return [Violation(name, f"The rules could not run: {message}", source=name)]
    report = etree.fromstring(svrl.encode("utf-8"))
    violations = []
    # A failed assert is a broken rule; a successful report is one too in Schematron terms.
    for element in report.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        rule = element.get("id", "")
        text = " ".join(element.findtext(f"{{{SVRL}}}text", default="").split())
        # The EN 16931 texts repeat their id ("[BR-CO-16]-Amount due..."): keep it once.
        text = text.removeprefix(f"[{rule}]").lstrip("- ")
        violations.append(
            Violation(
                rule=rule,
                text=text,
                location=element.get("location", ""),
                flag=element.get("flag", ""),
                source=name,
            )
        )
    return violations


def validate_report(xml_bytes: bytes) -> ValidationReport:
    """Run the three checks. Raises RulesUnavailable when the artefacts aren't here."""
    if not rules_available():
        raise RulesUnavailable(f"No Peppol validation artefacts in {rules_dir()}")
    directory = str(rules_dir())
    # Inbound files are untrusted: no entities, no network, and no DTD at all (UBL has none).
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        doc = etree.ElementTree(etree.fromstring(xml_bytes, parser))
    except etree.XMLSyntaxError as exc:
        return ValidationReport(errors=[Violation("XML", str(exc))], warnings=[])
    if doc.docinfo.doctype:
        return ValidationReport(
            errors=[Violation("XML", "A UBL document has no DOCTYPE declaration.")], warnings=[]
        )
    with _lock:  # one Saxon processor per process, used by one thread at a time
        violations = _check_schema(doc, directory)
        xml_text = etree.tostring(doc, encoding="unicode")  # whatever the file's encoding
        for name in STYLESHEETS:
            violations += _check_rules(xml_text, directory, name)
    return ValidationReport(
        errors=[v for v in violations if v.is_error],
        warnings=[v for v in violations if not v.is_error],
    )


def validate_ubl(xml_bytes: bytes) -> list[Violation]:
    """The errors (fatal or unflagged failures) of a UBL document; empty when it passes."""
    return validate_report(xml_bytes).errors
