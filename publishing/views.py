"""Publication pages: the list of publications and a publication's page at /doi/<doi>."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from catalogue.templatetags.portal_format import human_size, orcid_url, safe_url, words
from catalogue.views import render_not_found, render_tombstone
from publishing.models import Publication
from publishing.selectors import (
    bare_doi,
    publication_by_doi,
    publication_datasets,
    publications_page,
)

# Relation types (DataCite) in words: "<this publication> <words> <the related identifier>".
RELATION_WORDS = {
    "IsCitedBy": "is cited by",
    "Cites": "cites",
    "IsSupplementTo": "is a supplement to",
    "IsSupplementedBy": "is supplemented by",
    "IsContinuedBy": "is continued by",
    "Continues": "continues",
    "IsDescribedBy": "is described by",
    "Describes": "describes",
    "HasMetadata": "has metadata in",
    "IsMetadataFor": "is metadata for",
    "HasVersion": "has the version",
    "IsVersionOf": "is a version of",
    "IsNewVersionOf": "is a new version of",
    "IsPreviousVersionOf": "is a previous version of",
    "IsPartOf": "is part of",
    "HasPart": "has the part",
    "IsPublishedIn": "is published in",
    "IsReferencedBy": "is referenced by",
    "References": "references",
    "IsDocumentedBy": "is documented by",
    "Documents": "documents",
    "IsCompiledBy": "is compiled by",
    "Compiles": "compiles",
    "IsVariantFormOf": "is a variant form of",
    "IsOriginalFormOf": "is the original form of",
    "IsIdenticalTo": "is identical to",
    "IsReviewedBy": "is reviewed by",
    "Reviews": "reviews",
    "IsDerivedFrom": "is derived from",
    "IsSourceOf": "is the source of",
    "IsRequiredBy": "is required by",
    "Requires": "requires",
    "IsObsoletedBy": "is made obsolete by",
    "Obsoletes": "makes obsolete",
    "IsCollectedBy": "is collected by",
    "Collects": "collects",
    "IsTranslationOf": "is a translation of",
    "HasTranslation": "has the translation",
}


def _doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"


def creators_of(publication: Publication) -> list[dict[str, Any]]:
    """Creators as the page shows them: name, ORCID link, affiliations (with a link if any)."""
    people = []
    for creator in publication.creators or []:
        if not isinstance(creator, dict):
            continue
        name = str(creator.get("name") or "").strip()
        if not name:
            given, family = creator.get("givenName") or "", creator.get("familyName") or ""
            name = f"{family}, {given}".strip(", ")
        if not name:
            continue
        orcid = ""
        for identifier in creator.get("nameIdentifiers") or []:
            if (
                isinstance(identifier, dict)
                and str(identifier.get("nameIdentifierScheme", "")).upper() == "ORCID"
            ):
                orcid = orcid_url(identifier.get("nameIdentifier"))
                break
        affiliations = []
        for affiliation in creator.get("affiliation") or []:
            if isinstance(affiliation, dict) and affiliation.get("name"):
                affiliations.append(
                    {
                        "name": str(affiliation["name"]),
                        "url": safe_url(affiliation.get("affiliationIdentifier")),
                    }
                )
            elif isinstance(affiliation, str) and affiliation.strip():
                affiliations.append({"name": affiliation.strip(), "url": ""})
        people.append({"name": name, "orcid": orcid, "affiliations": affiliations})
    return people


def _related(publication: Publication) -> list[dict[str, str]]:
    out = []
    for item in publication.related_identifiers or []:
        if not isinstance(item, dict) or not item.get("relatedIdentifier"):
            continue
        identifier = str(item["relatedIdentifier"]).strip()
        kind = str(item.get("relatedIdentifierType") or "")
        relation = str(item.get("relationType") or "")
        if kind.upper() == "DOI":
            url = safe_url(identifier) or _doi_url(bare_doi(identifier))
        else:
            url = safe_url(identifier)
        out.append(
            {
                "relation": RELATION_WORDS.get(relation) or words(relation) or "is related to",
                "identifier": identifier,
                "type": kind,
                "url": url,
            }
        )
    return out


def _subjects(publication: Publication) -> list[str]:
    out = []
    for item in publication.subjects or []:
        text = item.get("subject") if isinstance(item, dict) else item
        if isinstance(text, str) and text.strip():
            out.append(text.strip())
    return out


def _rights(publication: Publication) -> list[dict[str, str]]:
    out = []
    for item in publication.rights or []:
        if isinstance(item, dict):
            text = str(item.get("rights") or item.get("rightsIdentifier") or "").strip()
            url = safe_url(item.get("rightsUri"))
            if text or url:
                out.append({"text": text or url, "url": url})
        elif isinstance(item, str) and item.strip():
            out.append({"text": item.strip(), "url": ""})
    return out


def _funding(publication: Publication) -> list[dict[str, str]]:
    out = []
    for item in publication.funding_references or []:
        if isinstance(item, dict) and item.get("funderName"):
            award = item.get("awardNumber")
            if isinstance(award, dict):
                award = award.get("awardNumber", "")
            out.append(
                {
                    "funder": str(item["funderName"]),
                    "award": str(award or ""),
                    "title": str(item.get("awardTitle") or ""),
                }
            )
    return out


@require_safe
def publication_list(request: HttpRequest) -> HttpResponse:
    page = publications_page(request.GET.get("page"))
    rows = [
        {
            "publication": publication,
            "url": reverse("publishing:publication_detail", args=[publication.doi]),
            "creators": [c["name"] for c in creators_of(publication)],
        }
        for publication in page.object_list
    ]
    return render(request, "publishing/publication_list.html", {"page": page, "rows": rows})


@require_safe
def publication_detail(request: HttpRequest, doi: str) -> HttpResponse:
    publication = publication_by_doi(doi)
    if publication is None:
        return render_not_found(request, f"There is no publication with the DOI “{doi[:300]}”.")
    if publication.is_withdrawn:
        return render_tombstone(
            request,
            record=publication,
            kind="publication",
            title=publication.title,
            identifier=publication.doi,
        )
    return render(request, "publishing/publication_detail.html", publication_page(publication))


def publication_page(publication: Publication) -> dict[str, Any]:
    """The context of a publication's page (also the staff preview of a draft's page)."""
    datasets = [
        {
            "dataset": dataset,
            "url": reverse("catalogue:dataset_detail", args=[dataset.pid]),
            "size": human_size(dataset.size),
        }
        for dataset in publication_datasets(publication)
    ]
    return {
        "publication": publication,
        "doi_url": _doi_url(publication.doi) if publication.doi else "",
        "canonical_url": (
            reverse("publishing:publication_detail", args=[publication.doi])
            if publication.doi
            else ""
        ),
        "creators": creators_of(publication),
        "subjects": _subjects(publication),
        "rights": _rights(publication),
        "related": _related(publication),
        "funding": _funding(publication),
        "datasets": datasets,
    }
