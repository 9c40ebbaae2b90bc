"""The catalogue's dataset and proposal admins, plus "create a draft publication" actions.

The catalogue's admins are replaced (unregistered, then registered again as subclasses), so the
catalogue never needs to know about publications.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from catalogue.admin import DatasetAdmin, ProposalAdmin
from catalogue.models import Dataset, Proposal
from publishing.models import Publication
from publishing.services.drafts import publication_create, publication_create_for_proposal
from publishing.services.errors import PublicationError


def _created(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, made: list[Publication]
) -> HttpResponse | None:
    for publication in made:  # the audit log, on the publication's history
        modeladmin.log_addition(
            request,
            publication,
            f"Created from {publication.datasets.count()} dataset(s) in the "
            f"{modeladmin.opts.verbose_name} list.",
        )
    if len(made) == 1:
        modeladmin.message_user(
            request,
            f"Created the draft publication “{made[0].title}”: check its metadata, then register.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:publishing_publication_change", args=[made[0].pk])
        )
    if made:
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:publishing_publication_change", args=[p.pk]), p.title) for p in made),
        )
        modeladmin.message_user(
            request, format_html("Created {} draft publications: {}", len(made), links)
        )
    return None


admin.site.unregister(Dataset)
admin.site.unregister(Proposal)


@admin.register(Dataset)
class PublishingDatasetAdmin(DatasetAdmin):
    """The catalogue's dataset admin, plus: make a publication of the selected datasets."""

    actions = [*DatasetAdmin.actions, "create_publication"]

    def has_add_publication_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("publishing.add_publication")

    @admin.action(
        description="Create a draft publication of the selected datasets",
        permissions=["add_publication"],
    )
    def create_publication(
        self, request: HttpRequest, queryset: QuerySet[Dataset]
    ) -> HttpResponse | None:
        try:
            publication = publication_create(datasets=list(queryset))
        except PublicationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        left_out = queryset.count() - publication.datasets.count()
        if left_out:
            self.message_user(
                request, f"{left_out} withdrawn dataset(s) left out.", messages.WARNING
            )
        return _created(self, request, [publication])


@admin.register(Proposal)
class PublishingProposalAdmin(ProposalAdmin):
    """The catalogue's proposal admin, plus: a publication of each beamtime's public datasets."""

    actions = ["create_publications"]

    def has_add_publication_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("publishing.add_publication")

    @admin.action(
        description="Create a draft publication of each selected proposal's public datasets",
        permissions=["add_publication"],
    )
    def create_publications(
        self, request: HttpRequest, queryset: QuerySet[Proposal]
    ) -> HttpResponse | None:
        made = []
        for proposal in queryset.order_by("proposal_id"):
            try:
                made.append(publication_create_for_proposal(proposal=proposal))
            except PublicationError as exc:
                self.message_user(request, str(exc), messages.WARNING)
        return _created(self, request, made)
