"""Reference-manager formats: BibTeX, RIS and CSL-JSON.

Each is written from the record's DataCite JSON (through :mod:`landing.formats.fields`), so they
name the same creators, title, year and DOI as the page and the DataCite metadata.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from landing.formats import fields
from landing.records import LandingRecord

# -- BibTeX ---------------------------------------------------------------------------------------

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


def bibtex_key(record: LandingRecord) -> str:
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


def bibtex(record: LandingRecord) -> str:
    """One ``@misc`` entry (BibTeX has no dataset type; biblatex reads ``@misc`` too)."""
    general, specific = fields.resource_type(record)
    entries: list[tuple[str, str]] = [
        ("author", " and ".join(_bibtex_name(c) for c in fields.creators(record))),
        # Double braces keep the title's capitals as they are.
        ("title", "{" + bibtex_escape(fields.title(record)) + "}"),
        ("publisher", bibtex_escape(fields.publisher(record))),
        ("year", bibtex_escape(fields.year(record))),
    ]
    parts = fields.issued(record)
    if len(parts) >= 2:
        entries.append(("month", str(parts[1])))
    if record.doi:
        entries.append(("doi", bibtex_escape(record.doi)))
    entries.append(("url", bibtex_escape(record.pid_url)))
    if not record.doi and record.dataset is not None:
        entries.append(("note", bibtex_escape(f"PID: {record.dataset.pid}")))
    entries.append(("howpublished", bibtex_escape(specific if specific != general else general)))
    if keywords := fields.keywords(record):
        entries.append(("keywords", bibtex_escape(", ".join(keywords))))
    if licences := fields.licences(record):
        entries.append(("copyright", bibtex_escape(licences[0].name)))
    if version := fields.version(record):
        entries.append(("version", bibtex_escape(version)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in entries if value)
    return f"@misc{{{bibtex_key(record)},\n{body}\n}}\n"


# -- RIS ------------------------------------------------------------------------------------------


def _ris_value(text: str) -> str:
    return " ".join(text.split())


def ris(record: LandingRecord) -> str:
    """One ``TY  - DATA`` reference (RIS lines are ``XX  - value``, CR LF, ending with ``ER``)."""
    lines: list[tuple[str, str]] = [("TY", "DATA"), ("TI", fields.title(record))]
    for creator in fields.creators(record):
        if creator.personal:
            lines.append(
                ("AU", f"{creator.family}, {creator.given}" if creator.given else creator.family)
            )
        else:
            lines.append(("AU", creator.name))
    lines.append(("PY", fields.year(record)))
    parts = fields.issued(record)
    if len(parts) == 3:
        lines.append(("DA", f"{parts[0]:04d}/{parts[1]:02d}/{parts[2]:02d}"))
    lines.append(("PB", fields.publisher(record)))
    if record.doi:
        lines.append(("DO", record.doi))
    lines.append(("UR", record.pid_url))
    if not record.doi and record.dataset is not None:
        lines.append(("AN", record.dataset.pid))
    lines.append(("AB", fields.abstract(record)))
    lines += [("KW", keyword) for keyword in fields.keywords(record)]
    _, specific = fields.resource_type(record)
    lines.append(("M3", specific))
    if licences := fields.licences(record):
        lines.append(("C1", licences[0].name))  # rispy and Zotero read no licence tag
    if language := fields.language(record):
        lines.append(("LA", language))
    if version := fields.version(record):
        lines.append(("ET", version))
    out = [f"{tag}  - {_ris_value(value)}" for tag, value in lines if _ris_value(value)]
    out.append("ER  - ")
    return "\r\n".join(out) + "\r\n"


# -- CSL-JSON -------------------------------------------------------------------------------------


def csl_item(record: LandingRecord) -> dict[str, Any]:
    """The record as one CSL-JSON item (what citeproc formats and reference managers import)."""
    authors: list[dict[str, str]] = []
    for creator in fields.creators(record):
        if creator.personal:
            author = {"family": creator.family}
            if creator.given:
                author["given"] = creator.given
        else:
            author = {"literal": creator.name}
        authors.append(author)
    _, specific = fields.resource_type(record)
    item: dict[str, Any] = {
        "id": record.identifier,
        "type": "dataset",
        "title": fields.title(record),
        "author": authors,
        "publisher": fields.publisher(record),
        "URL": record.pid_url,
    }
    if parts := fields.issued(record):
        item["issued"] = {"date-parts": [list(parts)]}
    if record.doi:
        item["DOI"] = record.doi
    if specific and specific != "Dataset":
        item["genre"] = specific
    if abstract := fields.abstract(record):
        item["abstract"] = abstract
    if keywords := fields.keywords(record):
        item["keyword"] = ", ".join(keywords)
    if version := fields.version(record):
        item["version"] = version
    if language := fields.language(record):
        item["language"] = language
    if licences := fields.licences(record):
        item["license"] = licences[0].url or licences[0].name
    return item


def csl_json(record: LandingRecord) -> str:
    """A CSL-JSON document: an array holding the record's item."""
    return json.dumps([csl_item(record)], ensure_ascii=False, indent=2) + "\n"
