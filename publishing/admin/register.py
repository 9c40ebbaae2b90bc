"""The register page of one publication: the DOI it will get, the checklist, DataCite's payload.

GET shows the DOI that will be registered (a draft's is proposed here and carried by the form, so
the page, its payload and the registration agree), every check that must pass with a link to the
place that fixes it, and the exact attributes DataCite will get. POST (publishers only) registers.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from publishing import datacite
from publishing.checklist import registration_checklist
from publishing.doi_metadata import MetadataInvalid
from publishing.models import DoiState, Publication
from publishing.services.errors import PublicationError
from publishing.services.registration import (
    doi_is_fresh,
    landing_url,
    new_doi,
    publication_register,
)

if TYPE_CHECKING:
    from publishing.admin.publications import PublicationAdmin

REGISTER_PERMISSION = "publishing.register_publication"


def can_register(request: HttpRequest) -> bool:
    return request.user.has_perm(REGISTER_PERMISSION)


def _proposed_doi(request: HttpRequest, publication: Publication) -> str:
    """The DOI this page registers: the publication's own, else the one the form carries."""
    if publication.doi:
        return publication.doi
    prefix = settings.DATACITE_PREFIX or "10.5072"
    posted = request.POST.get("doi", "").strip().lower()
    if posted and doi_is_fresh(posted, prefix):
        return posted
    return new_doi(prefix)


def register_view(
    modeladmin: PublicationAdmin, request: HttpRequest, publication: Publication
) -> HttpResponse:
    change_url = reverse("admin:publishing_publication_change", args=[publication.pk])
    doi = _proposed_doi(request, publication)
    checklist = registration_checklist(publication, doi=doi, url=landing_url(doi))
    error = ""
    if request.method == "POST":
        if not can_register(request):
            raise PermissionDenied
        if checklist.passed:
            try:
                started = publication_register(publication_id=publication.pk, doi=doi)
            except (MetadataInvalid, PublicationError) as exc:
                error = str(exc)
            else:
                publication.refresh_from_db()
                if started:
                    modeladmin.log_change(
                        request, publication, f"Asked DataCite to register {publication.doi}."
                    )
                    modeladmin.message_user(
                        request,
                        _(
                            "Registering %(doi)s at DataCite: its DOI state shows the outcome "
                            "(reload the page)."
                        )
                        % {"doi": publication.doi},
                        messages.SUCCESS,
                    )
                else:
                    modeladmin.message_user(
                        request,
                        _("Nothing new to ask: %(doi)s is %(state)s.")
                        % {
                            "doi": publication.doi,
                            "state": publication.get_doi_state_display().lower(),
                        },
                        messages.WARNING,
                    )
                return HttpResponseRedirect(change_url)
        else:
            error = _("Not registered: fix what the checklist marks first.")
    if not publication.is_managed:
        error = _("This publication was registered elsewhere (imported from the catalogue).")
    elif not datacite.configured():
        error = _("DataCite is not configured here (DATACITE_URL is not set).")
    registrable = publication.is_managed and publication.doi_state in (
        DoiState.DRAFT,
        DoiState.FAILED,
    )
    fix_urls = {
        "datasets": reverse("admin:publishing_publication_datasets", args=[publication.pk]),
    }
    checks = [
        (
            check,
            fix_urls.get(check.fix)
            or (f"{change_url}#field-{check.fix}" if check.fix else change_url),
        )
        for check in checklist.checks
    ]
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Register the DOI") if not publication.is_registered else _("DOI"),
        "opts": modeladmin.opts,
        "original": publication,
        "publication": publication,
        "change_url": change_url,
        "doi": doi,
        "doi_is_new": not publication.doi,
        "checks": checks,
        "passed": checklist.passed,
        "json": json.dumps(checklist.attributes, indent=2, ensure_ascii=False)
        if checklist.attributes
        else "",
        "error": error,
        "can_register": can_register(request),
        "registrable": registrable,
        "configured": datacite.configured(),
    }
    return TemplateResponse(request, "admin/publishing/publication/register.html", context)
