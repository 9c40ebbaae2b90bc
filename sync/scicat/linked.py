"""The records a dataset links to (instruments, proposals) and published data (DOIs), parsed.

Published data of both APIs (v3's flat fields, v4's DataCite ``metadata``) becomes a
:class:`~publishing.payloads.PublicationIn`; PI e-mails and other private fields are not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catalogue.payloads import InstrumentIn, ProposalIn
from publishing.payloads import PublicationIn
from sync.scicat.fields import RecordError, parse_datetime, read_dicts, read_text, read_texts

Raw = Mapping[str, Any]

# PublishedData states an anonymous reader may see: v3 "registered", v4 "registered"/"amended".
PUBLIC_PUBLISHED_DATA_STATES = frozenset({"registered", "amended"})


# -- instruments, proposals ---------------------------------------------------------------------


def instrument_from(raw: Raw) -> InstrumentIn:
    pid = raw.get("pid") or raw.get("_id")
    if not isinstance(pid, str) or not pid:
        raise RecordError("", "instrument pid: missing")
    custom = raw.get("customMetadata") if isinstance(raw.get("customMetadata"), Mapping) else {}
    facility = custom.get("facility") if isinstance(custom, Mapping) else None
    return InstrumentIn(
        pid=pid[:255],
        name=read_text(raw, "name", pid, limit=255) or pid[:255],
        unique_name=read_text(raw, "uniqueName", pid, limit=255),
        facility=facility[:255] if isinstance(facility, str) else "",
    )


def proposal_from(raw: Raw) -> ProposalIn:
    proposal_id = raw.get("proposalId")
    if not isinstance(proposal_id, str) or not proposal_id:
        raise RecordError("", "proposalId: missing")
    first = read_text(raw, "pi_firstname", proposal_id)
    last = read_text(raw, "pi_lastname", proposal_id)
    pi_name = f"{last}, {first}" if last and first else (last or first)
    return ProposalIn(
        proposal_id=proposal_id[:255],
        title=read_text(raw, "title", proposal_id),
        pi_name=pi_name[:255],
        type=read_text(raw, "type", proposal_id, limit=64),
        start_time=parse_datetime(raw.get("startTime"), field="startTime", pid=proposal_id),
        end_time=parse_datetime(raw.get("endTime"), field="endTime", pid=proposal_id),
    )


# -- published data -----------------------------------------------------------------------------


def published_data_is_public(raw: Raw) -> bool:
    return raw.get("status") in PUBLIC_PUBLISHED_DATA_STATES


def normalize_doi(doi: str) -> str:
    doi = doi.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix) :]
    return doi.lower()


def _v3_creators(raw: Raw) -> list[dict[str, Any]]:
    names = read_texts(raw.get("creator"), "creator", str(raw.get("doi", "")))
    affiliation = raw.get("affiliation")
    out: list[dict[str, Any]] = []
    for name in names:
        creator: dict[str, Any] = {"name": name, "nameType": "Personal"}
        if isinstance(affiliation, str) and affiliation:
            creator["affiliation"] = [{"name": affiliation}]
        out.append(creator)
    return out


def publication_from(raw: Raw) -> PublicationIn:
    doi_raw = raw.get("doi")
    if not isinstance(doi_raw, str) or "/" not in doi_raw:
        raise RecordError(str(doi_raw or ""), "doi: missing or not a DOI")
    doi = normalize_doi(doi_raw)
    meta = raw.get("metadata") if isinstance(raw.get("metadata"), Mapping) else {}
    assert isinstance(meta, Mapping)
    creators = read_dicts(meta.get("creators"), "metadata.creators", doi) or _v3_creators(raw)
    publisher = meta.get("publisher") or raw.get("publisher") or ""
    if isinstance(publisher, Mapping):
        publisher = publisher.get("name", "")
    year = meta.get("publicationYear") or raw.get("publicationYear")
    try:
        publication_year = int(year) if year not in (None, "") else None
    except (TypeError, ValueError):
        raise RecordError(doi, f"publicationYear: not a year: {year!r}") from None
    resource_type = meta.get("resourceType") or raw.get("resourceType") or ""
    if isinstance(resource_type, Mapping):
        resource_type = resource_type.get("resourceType") or resource_type.get(
            "resourceTypeGeneral", ""
        )
    subjects = read_dicts(meta.get("subjects"), "metadata.subjects", doi)
    if not subjects and isinstance(raw.get("keywords"), list):
        subjects = [{"subject": k} for k in read_texts(raw.get("keywords"), "keywords", doi)]
    pids = read_texts(raw.get("datasetPids") or raw.get("pidArray"), "datasetPids", doi)
    return PublicationIn(
        doi=doi,
        title=read_text(raw, "title", doi) or doi,
        abstract=read_text(raw, "abstract", doi),
        creators=creators,
        contributors=read_dicts(meta.get("contributors"), "metadata.contributors", doi),
        publisher=str(publisher)[:255],
        publication_year=publication_year,
        resource_type=str(resource_type)[:255],
        subjects=subjects,
        rights=read_dicts(meta.get("rightsList"), "metadata.rightsList", doi),
        related_identifiers=read_dicts(
            meta.get("relatedIdentifiers"), "metadata.relatedIdentifiers", doi
        ),
        funding_references=read_dicts(
            meta.get("fundingReferences"), "metadata.fundingReferences", doi
        ),
        geo_locations=read_dicts(meta.get("geoLocations"), "metadata.geoLocations", doi),
        dataset_pids=pids,
        registered_at=parse_datetime(raw.get("registeredTime"), field="registeredTime", pid=doi),
        source_updated_at=parse_datetime(raw.get("updatedAt"), field="updatedAt", pid=doi),
    )
