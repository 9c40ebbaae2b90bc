"""BibTeX: one ``@misc`` entry of a :class:`~publishing.record.DataCiteRecord`.

Written from the record (through :mod:`publishing.formats.fields`), so it names the same
creators, title, date and DOI as the page and the DataCite metadata. The date is there three
ways: ``year``/``month``/``day`` for BibTeX styles and ``date`` (ISO 8601) for biblatex, which
reads ``@misc`` too. Contributors whose role BibTeX names are there as well: editors as
``editor``, translators as ``translator`` (biblatex). ``howpublished`` is the DataCite general
type ("Dataset"), never the facility's free-text resource type ("raw"), which means nothing in a
reference list.
"""

from __future__ import annotations

import re
import unicodedata

from publishing.formats import fields
from publishing.record import DataCiteRecord

# LaTeX's special characters. Braces are "\{" and "\}" when they pair up; an unpaired one is
# \textbraceleft{}/\textbraceright{}, because BibTeX counts every brace, escaped or not, and an
# unbalanced "\{" would end the field early.
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_UNPAIRED = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
_LATEX_CHARS = re.compile("[" + re.escape("".join(_LATEX)) + "]")
_KEY_WORD = re.compile(r"[A-Za-z0-9]+")


def _braces_pair(text: str) -> bool:
    depth = 0
    for char in text:
        if char in "{}":
            depth += 1 if char == "{" else -1
            if depth < 0:
                return False
    return depth == 0


def bibtex_escape(text: str) -> str:
    """``text`` as the content of a braced BibTeX field: LaTeX specials escaped, UTF-8 kept."""
    text = " ".join(text.split())  # one line
    table = _LATEX if _braces_pair(text) else {**_LATEX, **_UNPAIRED}
    return _LATEX_CHARS.sub(lambda m: table[m.group(0)], text)


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    match = _KEY_WORD.search(folded)
    return match.group(0).lower() if match else ""


def bibtex_key(record: DataCiteRecord) -> str:
    """``<first creator's family name><year><first title word>``, ASCII letters and digits."""
    creators = fields.creators(record)
    who = _ascii_word(creators[0].family or creators[0].name) if creators else ""
    what = next(
        (w for w in (_ascii_word(word) for word in fields.title(record).split()) if len(w) > 3),
        "",
    )
    return f"{who}{fields.year(record)}{what}" or "dataset"


def _bibtex_name(creator: fields.Creator) -> str:
    if creator.personal:
        family = bibtex_escape(creator.family)
        # "von" parts and words BibTeX would split on stay together.
        if " and " in f" {creator.family} " or "," in creator.family:
            family = "{" + family + "}"
        given = bibtex_escape(creator.given)
        return f"{family}, {given}" if given else family
    # An organisation: one brace group, so BibTeX never splits it into first and last names.
    return "{" + bibtex_escape(creator.name) + "}"


def bibtex(record: DataCiteRecord) -> str:
    """One ``@misc`` entry (BibTeX has no dataset type; biblatex reads ``@misc`` too)."""
    general, _ = fields.resource_type(record)
    entries: list[tuple[str, str]] = [
        ("author", " and ".join(_bibtex_name(c) for c in fields.creators(record))),
    ]
    contributors = fields.contributors(record)
    for role, key in (("Editor", "editor"), ("Translator", "translator")):
        if named := [_bibtex_name(c) for c in contributors if c.role == role]:
            entries.append((key, " and ".join(named)))
    entries += [
        # Double braces keep the title's capitals as they are.
        ("title", "{" + bibtex_escape(fields.title(record)) + "}"),
        ("publisher", bibtex_escape(fields.publisher(record))),
        ("year", bibtex_escape(fields.year(record))),
    ]
    parts = fields.issued(record)
    if len(parts) >= 2:
        entries.append(("month", str(parts[1])))
    if len(parts) == 3:
        entries.append(("day", str(parts[2])))
    if len(parts) >= 2:
        entries.append(("date", fields.issued_iso(record)))
    if record.doi:
        entries.append(("doi", bibtex_escape(record.doi)))
    entries.append(("url", bibtex_escape(fields.pid_url(record))))
    if not record.doi and record.pid is not None:
        entries.append(("note", bibtex_escape(f"PID: {record.pid.identifier}")))
    entries.append(("howpublished", bibtex_escape(general)))
    if keywords := fields.keywords(record):
        entries.append(("keywords", bibtex_escape(", ".join(keywords))))
    if licences := fields.licences(record):
        entries.append(("copyright", bibtex_escape(licences[0].name)))
    if version := fields.version(record):
        entries.append(("version", bibtex_escape(version)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in entries if value)
    return f"@misc{{{bibtex_key(record)},\n{body}\n}}\n"
