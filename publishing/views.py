"""The list of publications (a publication's own page is the landing page at /doi/<doi>)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from lib.links import orcid_url, safe_url
from publishing.models import Publication
from publishing.selectors import (
    publications_page,
)


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


@require_safe
def publication_list(request: HttpRequest) -> HttpResponse:
    page = publications_page(request.GET.get("page"))
    rows = [
        {
            "publication": publication,
            "url": reverse("landing:publication", args=[publication.doi]),
            "creators": [c["name"] for c in creators_of(publication)],
        }
        for publication in page.object_list
    ]
    return render(request, "publishing/publication_list.html", {"page": page, "rows": rows})
