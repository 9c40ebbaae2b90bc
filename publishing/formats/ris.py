"""RIS: one ``TY  - DATA`` reference of a :class:`~publishing.record.DataCiteRecord`.

``M3`` (type of work, what reference managers print in brackets) is the DataCite general type
("Dataset"); the facility's free-text resource type goes to a note (``N1``), where it is kept
without reaching the formatted citation. Editors among the contributors are ``A2`` (secondary
author, what reference managers read as the editor) and translators ``A4`` (subsidiary author);
RIS has no tag for DataCite's other contributor roles.
"""

from __future__ import annotations

from publishing.formats import fields
from publishing.record import DataCiteRecord


def _ris_value(text: str) -> str:
    return " ".join(text.split())


def _ris_name(person: fields.Creator) -> str:
    if person.personal:
        return f"{person.family}, {person.given}" if person.given else person.family
    return person.name


def ris(record: DataCiteRecord) -> str:
    """One ``TY  - DATA`` reference (RIS lines are ``XX  - value``, CR LF, ending with ``ER``)."""
    lines: list[tuple[str, str]] = [("TY", "DATA"), ("TI", fields.title(record))]
    lines += [("AU", _ris_name(creator)) for creator in fields.creators(record)]
    for role, tag in (("Editor", "A2"), ("Translator", "A4")):
        lines += [(tag, _ris_name(c)) for c in fields.contributors(record) if c.role == role]
    lines.append(("PY", fields.year(record)))
    parts = fields.issued(record)
    if len(parts) == 3:
        lines.append(("DA", f"{parts[0]:04d}/{parts[1]:02d}/{parts[2]:02d}"))
    lines.append(("PB", fields.publisher(record)))
    if record.doi:
        lines.append(("DO", record.doi))
    lines.append(("UR", fields.pid_url(record)))
    if not record.doi and record.pid is not None:
        lines.append(("AN", record.pid.identifier))
    lines.append(("AB", fields.abstract(record)))
    lines += [("KW", keyword) for keyword in fields.keywords(record)]
    general, specific = fields.resource_type(record)
    lines.append(("M3", general))
    if specific != general:
        lines.append(("N1", f"Resource type: {specific}"))
    if licences := fields.licences(record):
        lines.append(("C1", licences[0].name))  # rispy and Zotero read no licence tag
    if language := fields.language(record):
        lines.append(("LA", language))
    if version := fields.version(record):
        lines.append(("ET", version))
    out = [f"{tag}  - {_ris_value(value)}" for tag, value in lines if _ris_value(value)]
    out.append("ER  - ")
    return "\r\n".join(out) + "\r\n"
