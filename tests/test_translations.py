"""The French and Dutch catalogs are complete, compiled, faithful to their placeholders, used by
the pages, and keep up with the strings marked in the code.

The .po files are read with a small parser written for the format makemessages writes; the
.mo files with the standard library's gettext, which is what Django reads at run time.
"""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from smartcoop import settings as project_settings

BASE_DIR = Path(django_settings.BASE_DIR)
LOCALE = BASE_DIR / "locale"
TRANSLATED = ["fr", "nl"]


# --- a small .po reader ----------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text):
    """The value of one quoted .po string ("..."), escapes resolved."""
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def _new_entry():
    return {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": None, "flags": set()}


class _PoReader:
    """Reads a .po file line by line (read_po)."""

    def __init__(self, path):
        self.path = path
        self.entries = []
        self.current = None
        self.field = None

    def finish(self):
        if self.current is not None and self.current["msgid"] is not None:
            self.entries.append(self.current)

    def continued(self, line):
        value = _unquote(line)
        if isinstance(self.field, tuple):  # msgstr[n]
            self.current["msgstr"][self.field[1]] += value
        else:
            self.current[self.field] += value

    def plural_msgstr(self, index, rest):
        if not isinstance(self.current["msgstr"], list):
            self.current["msgstr"] = []
        while len(self.current["msgstr"]) <= index:
            self.current["msgstr"].append("")
        self.current["msgstr"][index] = _unquote(rest)
        self.field = ("msgstr", index)

    def keyword(self, raw, line):
        keyword, _, rest = line.partition(" ")
        plural_form = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if plural_form:
            self.plural_msgstr(int(plural_form.group(1)), rest)
        elif keyword in {"msgctxt", "msgid", "msgid_plural", "msgstr"}:
            if keyword == "msgctxt" and self.current["msgid"] is not None:
                self.finish()
                self.current = _new_entry()
            self.current[keyword] = _unquote(rest)
            self.field = keyword
        else:
            raise AssertionError(f"{self.path}: unexpected line {raw!r}")

    def line(self, raw):
        line = raw.strip()
        if not line:
            self.finish()
            self.current, self.field = None, None
            return
        if line.startswith("#~"):
            return
        if self.current is None:
            self.current = _new_entry()
        if line.startswith("#,"):
            self.current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            return
        elif line.startswith('"'):
            self.continued(line)
        else:
            self.keyword(raw, line)


def read_po(path):
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (a str, or a list
    for plural entries), flags. Obsolete entries (#~) are left out; the header is included."""
    reader = _PoReader(path)
    for raw in path.read_text(encoding="utf-8").splitlines():
        reader.line(raw)
    reader.finish()
    return reader.entries


def po_path(language):
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def mo_catalog(language):
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as handle:
        return gettext.GNUTranslations(handle)._catalog


def messages(language):
    """The entries of a catalog, without the header."""
    return [e for e in read_po(po_path(language)) if e["msgid"] != ""]


def header(language):
    return next(e for e in read_po(po_path(language)) if e["msgid"] == "")


def _key(entry):
    return f"{entry['msgctxt']}\x04{entry['msgid']}" if entry["msgctxt"] else entry["msgid"]


# --- complete and compiled -------------------------------------------------------------------


def test_the_po_reader_reads_multi_line_plural_and_escaped_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        "#: a.py:1\n#, python-format\n"
        'msgid ""\n"Hello "\n"%(name)s \\"friend\\""\nmsgstr "Bonjour %(name)s « ami »"\n\n'
        'msgid "%(n)s file"\nmsgid_plural "%(n)s files"\n'
        'msgstr[0] "%(n)s fichier"\nmsgstr[1] ""\n"%(n)s fichiers"\n\n'
        '#~ msgid "old"\n#~ msgstr "vieux"\n',
        encoding="utf-8",
    )
    entries = read_po(po)
    assert [e["msgid"] for e in entries] == ["", 'Hello %(name)s "friend"', "%(n)s file"]
    assert entries[0]["msgstr"] == "Language: fr\n"
    assert entries[1]["flags"] == {"python-format"}
    assert entries[1]["msgstr"] == "Bonjour %(name)s « ami »"
    assert entries[2]["msgid_plural"] == "%(n)s files"
    assert entries[2]["msgstr"] == ["%(n)s fichier", "%(n)s fichiers"]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    entries = messages(language)
    assert len(entries) > 300
    untranslated = [
        e["msgid"]
        for e in entries
        if e["msgstr"] is None
        or (isinstance(e["msgstr"], list) and not all(form.strip() for form in e["msgstr"]))
        or (isinstance(e["msgstr"], str) and not e["msgstr"].strip())
    ]
    assert untranslated == []
    fuzzy = [e["msgid"] for e in read_po(po_path(language)) if "fuzzy" in e["flags"]]
    assert fuzzy == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_entries_have_both_forms(language):
    for entry in messages(language):
        if entry["msgid_plural"] is not None:
            assert isinstance(entry["msgstr"], list), entry["msgid"]
            assert len(entry["msgstr"]) == 2, entry["msgid"]


@pytest.mark.parametrize(
    ("language", "plural_forms"),
    [("fr", "nplurals=2; plural=(n > 1);"), ("nl", "nplurals=2; plural=(n != 1);")],
)
def test_the_header_names_the_language_and_its_plural_rule(language, plural_forms):
    text = header(language)["msgstr"]
    assert f"Language: {language}\n" in text
    assert f"Plural-Forms: {plural_forms}\n" in text
    assert "charset=UTF-8" in text


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_matches_the_po_file(language):
    """compilemessages was run after the last edit: the .mo holds exactly the .po."""
    catalog = mo_catalog(language)
    expected = {}
    for entry in messages(language):
        if entry["msgid_plural"] is not None:
            for index, form in enumerate(entry["msgstr"]):
                expected[(_key(entry), index)] = form
        else:
            expected[_key(entry)] = entry["msgstr"]
    compiled = {key: value for key, value in catalog.items() if key != ""}
    stale = sorted(str(k) for k in expected if compiled.get(k) != expected[k])
    assert stale == []
    assert sorted(map(str, set(compiled) - set(expected))) == []


def test_the_english_catalog_uses_the_msgids():
    entries = messages("en")
    assert len(entries) == len(messages("fr"))
    for entry in entries:
        forms = entry["msgstr"] if isinstance(entry["msgstr"], list) else [entry["msgstr"]]
        assert all(form == "" for form in forms), entry["msgid"]
    assert (LOCALE / "en" / "LC_MESSAGES" / "django.mo").exists()


def test_the_three_catalogs_hold_the_same_messages():
    ids = {language: {_key(e) for e in messages(language)} for language in ("fr", "nl", "en")}
    assert ids["fr"] == ids["nl"] == ids["en"]


# --- faithful placeholders -------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]|%[sdif]|%%|\{[A-Za-z_]*\}")
_TAG = re.compile(r"</?([A-Za-z]+)")


def placeholders(text):
    return set(_PLACEHOLDER.findall(text))


def tags(text):
    return sorted(_TAG.findall(text))


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_translation_keeps_the_placeholders_and_tags_of_its_msgid(language):
    wrong = []
    for entry in messages(language):
        if entry["msgid_plural"] is None:
            if placeholders(entry["msgstr"]) != placeholders(entry["msgid"]) or tags(
                entry["msgstr"]
            ) != tags(entry["msgid"]):
                wrong.append((entry["msgid"], entry["msgstr"]))
            continue
        allowed = placeholders(entry["msgid"]) | placeholders(entry["msgid_plural"])
        used = set().union(*(placeholders(form) for form in entry["msgstr"]))
        if used != allowed or any(not placeholders(form) <= allowed for form in entry["msgstr"]):
            wrong.append((entry["msgid"], entry["msgstr"]))
    assert wrong == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_python_format_translations_can_be_formatted(language):
    """A translation with a stray % would raise at run time, where the user sees it."""
    for entry in messages(language):
        if "python-format" not in entry["flags"]:
            continue
        names = re.findall(r"%\(([A-Za-z_][A-Za-z0-9_]*)\)", entry["msgid"])
        forms = entry["msgstr"] if isinstance(entry["msgstr"], list) else [entry["msgstr"]]
        for form in forms:
            if names or entry["msgid_plural"]:
                plural_names = re.findall(r"%\((\w+)\)", entry["msgid_plural"] or "")
                form % dict.fromkeys(names + plural_names, 1)
            elif re.search(r"%[sdif]", entry["msgid"]):
                form % ((1,) * len(re.findall(r"%[sdif]", entry["msgid"])))
            elif "%%" in entry["msgid"]:
                form % ()
            # else: xgettext's guess ("% of gross" looks like a directive): nothing to format


def test_the_placeholder_check_notices_a_lost_or_renamed_placeholder():
    assert placeholders("Hello %(name)s, {count} and 5 %%") == {"%(name)s", "{count}", "%%"}
    assert placeholders("Bonjour %(nom)s") != placeholders("Hello %(name)s")
    assert placeholders("Bonjour") != placeholders("Hello %(name)s")
    assert tags('<a href="%(url)s">x</a>') == ["a", "a"]


# --- the pages speak the visitor's language ----------------------------------------------------


def test_the_default_language_is_french(client, alice, settings):
    assert project_settings.LANGUAGE_CODE == "fr"
    settings.LANGUAGE_CODE = project_settings.LANGUAGE_CODE  # the tests' conftest reads English
    client.force_login(alice)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert ">Factures</a>" in html
    assert ">Devis</a>" in html
    assert "Se déconnecter" in html
    assert ">Invoices</a>" not in html


def test_the_language_cookie_switches_the_portal_to_dutch(client, alice, settings):
    settings.LANGUAGE_CODE = project_settings.LANGUAGE_CODE
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert ">Klanten</a>" in html
    assert ">Facturen</a>" in html
    assert ">Offertes</a>" in html
    assert "Afmelden" in html
    assert ">Factures</a>" not in html


def test_the_language_form_sets_dutch_for_the_next_pages(client, alice, settings):
    settings.LANGUAGE_CODE = project_settings.LANGUAGE_CODE
    client.force_login(alice)
    home = reverse("portal:home")
    response = client.post(reverse("set_language"), {"language": "nl", "next": home})
    assert response.status_code == 302
    assert ">Facturen</a>" in client.get(home).content.decode()


def test_a_browser_asking_for_english_gets_english(client, alice, settings):
    settings.LANGUAGE_CODE = project_settings.LANGUAGE_CODE
    client.force_login(alice)
    response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert ">Invoices</a>" in html


# --- the catalogs keep up with the code --------------------------------------------------------

# The folders makemessages is told to skip: makemessages -l fr -l nl -l en -e html,txt,py
# --ignore=.venv --ignore=staticfiles --ignore=var --ignore=tests
_SKIPPED_DIRS = {".venv", "staticfiles", "var", "tests", ".git", "node_modules", "__pycache__"}
_SKIPPED_DIRS |= {"locale", "media", "htmlcov", "build", "dist", ".ruff_cache"}

_LITERAL = r"""(?P<q>["'])(?P<text>(?:(?!(?P=q)|\\).)*)(?P=q)"""
_PY_CALL = re.compile(
    r"(?<!\w)(?:_|N_|gettext|gettext_lazy|gettext_noop|ngettext|ngettext_lazy)\(\s*"
    + _LITERAL
    + r"\s*[,)]",
    re.DOTALL,
)
_TPL_TRANSLATE = re.compile(r"\{%\s*trans(?:late)?\s+" + _LITERAL + r"(?P<rest>[^%]*)%\}")
_TPL_BLOCK = re.compile(
    r"\{%\s*blocktrans(?:late)?(?P<options>[^%]*)%\}(?P<body>.*?)"
    r"\{%\s*endblocktrans(?:late)?\s*%\}",
    re.DOTALL,
)
_TPL_VAR = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def _source_files():
    for path in BASE_DIR.rglob("*"):
        relative = path.relative_to(BASE_DIR)
        if any(part in _SKIPPED_DIRS or part.endswith(".egg-info") for part in relative.parts):
            continue
        if path.is_file() and path.suffix in {".py", ".html", ".txt"}:
            yield path


def _python_msgids(text):
    return {m.group("text") for m in _PY_CALL.finditer(text)}


def _block_msgid(options, body):
    singular = re.split(r"\{%\s*plural\s*%\}", body)[0]
    if "{%" in singular or re.search(r"\{\{[^}]*[|.][^}]*\}\}", singular):
        return None  # a tag or a filtered variable: not a form this reader can rebuild
    singular = singular.replace("%", "%%")
    singular = _TPL_VAR.sub(lambda m: f"%({m.group(1)})s", singular)
    if re.search(r"\btrimmed\b", options):
        singular = re.sub(r"\s*\n\s*", " ", singular.strip())
    return singular


def _template_msgids(text):
    found = set()
    for match in _TPL_TRANSLATE.finditer(text):
        if "noop" not in match.group("rest").split():
            found.add(match.group("text").replace("%", "%%"))
    for match in _TPL_BLOCK.finditer(text):
        msgid = _block_msgid(match.group("options"), match.group("body"))
        if msgid:
            found.add(msgid)
    return found


def marked_strings():
    """{msgid: first file} for every single-literal string marked for translation."""
    found = {}
    for path in _source_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        msgids = _python_msgids(text) if path.suffix == ".py" else _template_msgids(text)
        for msgid in msgids:
            found.setdefault(msgid, str(path.relative_to(BASE_DIR)))
    return found


def test_the_source_scanner_finds_each_way_of_marking_a_string():
    python = """x = _("Plain")\ny = gettext_lazy(\n    "Wrapped %(n)s"\n)\n
z = ngettext("One", "Many", n)\nskip = _("Con" "cat")\nalso = _(f"no {x}")\n"""
    assert _python_msgids(python) == {"Plain", "Wrapped %(n)s", "One"}
    template = """{% translate "Home" %}{% trans 'Main menu' as label %}{% translate "5 %" %}
{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}
{% blocktranslate trimmed count counter=n %}
  {{ counter }} row
  chosen{% plural %}{{ counter }} rows chosen{% endblocktranslate %}"""
    assert _template_msgids(template) == {
        "Home",
        "Main menu",
        "5 %%",
        "Hello %(name)s",
        "%(counter)s row chosen",
    }


def test_every_string_marked_in_the_code_is_in_the_catalogs():
    """Run `make messages` (makemessages, translate, compilemessages) when this fails."""
    found = marked_strings()
    assert len(found) > 300  # the scanner really read the project
    assert any(path.endswith(".html") for path in found.values())
    assert any(path.endswith(".py") for path in found.values())
    known = {e["msgid"] for e in messages("fr")} | {
        e["msgid_plural"] for e in messages("fr") if e["msgid_plural"]
    }
    missing = sorted(f"{path}: {msgid!r}" for msgid, path in found.items() if msgid not in known)
    assert missing == []
