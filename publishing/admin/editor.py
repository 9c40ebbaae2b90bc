"""The staff pages that edit one publication: the metadata editor, its datasets, people used before.

Plain forms first: every button is a submit button and every search a GET form, so the pages work
with JavaScript off. With htmx, adding a row swaps only its list, searches answer as one types,
and choosing a person used before fills a creator or contributor row
(``static/js/staff-editor.js``). Every change is written by a service and recorded in the
admin's history (the audit log).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalogue.models import Dataset
from lib.htmx_request import wants_partial
from publishing.editor.forms import SECTION_BY_FIELD, Editor, with_row
from publishing.editor.suggestions import (
    Person,
    catalogue_suggestions,
    people_used_before,
    person_by_key,
)
from publishing.models import Publication
from publishing.selectors import datasets_for_picking, proposal_public_datasets
from publishing.services.drafts import (
    publication_datasets_add,
    publication_datasets_remove,
    publication_edit,
)
from publishing.spdx import licences

if TYPE_CHECKING:
    from lib.htmx_request import HtmxHttpRequest
    from publishing.admin.publications import PublicationAdmin

EDITOR_TEMPLATE = "admin/publishing/publication/edit.html"
DATASETS_TEMPLATE = "admin/publishing/publication/datasets.html"


def _urls(publication: Publication) -> dict[str, str]:
    pk = publication.pk
    return {
        "edit_url": reverse("admin:publishing_publication_change", args=[pk]),
        "json_url": reverse("admin:publishing_publication_json", args=[pk]),
        "datasets_url": reverse("admin:publishing_publication_datasets", args=[pk]),
        "register_url": reverse("admin:publishing_publication_register", args=[pk]),
        "preview_url": reverse("landing:publication_preview", args=[pk]),
        "history_url": reverse("admin:publishing_publication_history", args=[pk]),
        "people_url": reverse("admin:publishing_publication_people"),
    }


def _context(
    modeladmin: PublicationAdmin, request: HttpRequest, publication: Publication, **more: Any
) -> dict[str, Any]:
    return {
        **modeladmin.admin_site.each_context(request),
        **_urls(publication),
        "opts": modeladmin.opts,
        "original": publication,
        "publication": publication,
        "has_change_permission": modeladmin.has_change_permission(request, publication),
        **more,
    }


def _selected_datasets(publication: Publication) -> list[Dataset]:
    return list(publication.datasets.select_related("proposal").order_by("start_time", "pk"))


def _picked_person(data: QueryDict) -> tuple[str, Person] | None:
    """The list and the person chosen from "someone used before" (creators or contributors)."""
    field = "contributors" if data.get("_add_person") == "contributors" else "creators"
    key = data.get("_person_pick" if field == "creators" else "_contributor_pick", "")
    person = person_by_key(key)
    return (field, person) if person is not None else None


def editor_view(
    modeladmin: PublicationAdmin, request: HtmxHttpRequest, publication: Publication
) -> HttpResponse:
    """GET: the form. POST: add a row (or a suggestion) and show it again, or save."""
    if not modeladmin.has_change_permission(request, publication):
        raise PermissionDenied
    suggestions = catalogue_suggestions(publication)
    touched = ""
    data: QueryDict = request.POST
    if request.method != "POST":
        editor = Editor.of(publication)
    else:
        add = data.get("_add") or request.GET.get("add", "")
        if suggestion := next((s for s in suggestions if s.key == data.get("_suggest")), None):
            data, touched = with_row(data, suggestion.field, suggestion.row), suggestion.field
        elif "_add_person" in data and (picked := _picked_person(data)):
            data, touched = with_row(data, picked[0], picked[1].row), picked[0]
        elif add in SECTION_BY_FIELD:
            data, touched = with_row(data, add), add
        editor = Editor.of(publication, data)
        if not touched and editor.is_valid():
            changed, updating = publication_edit(publication=publication, values=editor.values)
            if changed:
                modeladmin.log_change(
                    request, publication, _("Edited %(fields)s.") % {"fields": ", ".join(changed)}
                )
                modeladmin.message_user(
                    request,
                    _("Saved “%(title)s”.") % {"title": publication.title}
                    + (_(" DataCite is being updated.") if updating else ""),
                    messages.SUCCESS,
                )
            else:
                modeladmin.message_user(request, _("Nothing changed."), messages.INFO)
            urls = _urls(publication)
            if "_preview" in data:
                return HttpResponseRedirect(urls["preview_url"])
            if "_check" in data:
                return HttpResponseRedirect(urls["register_url"])
            return HttpResponseRedirect(urls["edit_url"])
    shown = [s for s in suggestions if s.key != data.get("_suggest")] if touched else suggestions
    context = _context(
        modeladmin,
        request,
        publication,
        title=_("Edit “%(title)s”") % {"title": publication.title},
        editor=editor,
        suggestions=shown,
        people=people_used_before(limit=200),
        licences=licences(),
        datasets=_selected_datasets(publication),
        errors=request.method == "POST" and not touched,
    )
    if wants_partial(request) and touched:
        section, formset, problems = next(
            (s, f, e) for s, f, e in editor.sections() if s.field == touched
        )
        context.update(section=section, formset=formset, list_errors=problems)
        return TemplateResponse(request, f"{EDITOR_TEMPLATE}#section", context)
    return TemplateResponse(request, EDITOR_TEMPLATE, context)


def people_view(modeladmin: PublicationAdmin, request: HtmxHttpRequest) -> HttpResponse:
    """People used before matching ``q``: choices that fill a creator row (htmx), or JSON."""
    query = request.GET.get("q", "")[:200]
    people = people_used_before(query) if len(query.strip()) >= 2 else []
    if not wants_partial(request):
        rows = [{"name": p.name, "orcid": p.orcid, "affiliation": p.affiliation} for p in people]
        return HttpResponse(json.dumps(rows, ensure_ascii=False), content_type="application/json")
    choices = [(p, json.dumps(p.row, ensure_ascii=False)) for p in people]
    context = {"choices": choices, "query": query}
    return TemplateResponse(request, f"{EDITOR_TEMPLATE}#people", context)


def datasets_view(
    modeladmin: PublicationAdmin, request: HtmxHttpRequest, publication: Publication
) -> HttpResponse:
    """The publication's datasets: search the catalogue, add some or a whole proposal, remove."""
    if not modeladmin.has_change_permission(request, publication):
        raise PermissionDenied
    urls = _urls(publication)
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("dataset") if v.isdigit()]
        if "_remove" in request.POST:
            chosen = list(Dataset.objects.filter(pk__in=ids))
            done = publication_datasets_remove(publication=publication, datasets=chosen)
            verb = _("Removed")
        else:
            if proposal := request.POST.get("proposal", ""):
                chosen = proposal_public_datasets(proposal)
            else:
                chosen = list(Dataset.objects.public().filter(pk__in=ids))
            done = publication_datasets_add(publication=publication, datasets=chosen)
            verb = _("Added")
        if done:
            pids = ", ".join(d.pid for d in chosen[:20]) + (" …" if len(chosen) > 20 else "")
            modeladmin.log_change(request, publication, f"{verb} {done} dataset(s): {pids}")
        modeladmin.message_user(
            request,
            ngettext("%(verb)s %(n)d dataset.", "%(verb)s %(n)d datasets.", done)
            % {"verb": verb, "n": done},
            messages.SUCCESS if done else messages.WARNING,
        )
        return HttpResponseRedirect(urls["datasets_url"])
    query = request.GET.get("q", "")[:300]
    results = datasets_for_picking(query)
    selected = _selected_datasets(publication)
    have = {d.pk for d in selected}
    whole = proposal_public_datasets(query) if query else []
    context = _context(
        modeladmin,
        request,
        publication,
        title=_("Datasets of “%(title)s”") % {"title": publication.title},
        query=query,
        results=[(d, d.pk in have) for d in results],
        proposal_id=whole[0].proposal.proposal_id if whole and whole[0].proposal else "",
        proposal_count=len(whole),
        proposal_new=len([d for d in whole if d.pk not in have]),
        selected=selected,
    )
    if wants_partial(request):
        return TemplateResponse(request, f"{DATASETS_TEMPLATE}#results", context)
    return TemplateResponse(request, DATASETS_TEMPLATE, context)
