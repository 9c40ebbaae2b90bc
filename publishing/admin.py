"""Staff administration of publications: view, withdraw with a reason, restore."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from catalogue.admin import (
    VISIBILITY_FIELDSET,
    ReadOnlyRecordAdmin,
    restore_action,
    withdraw_action,
)
from publishing.models import Publication
from publishing.services import publication_restore, publication_withdraw


@admin.register(Publication)
class PublicationAdmin(ReadOnlyRecordAdmin):
    list_display = ["doi", "title", "publication_year", "visibility", "registered_at"]
    list_display_links = ["doi"]
    list_filter = ["visibility", "publication_year"]
    search_fields = ["doi", "title"]
    raw_id_fields = ["datasets"]
    actions = ["withdraw", "restore"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "doi",
                    "title",
                    "abstract",
                    "publisher",
                    "publication_year",
                    "resource_type",
                    "registered_at",
                ]
            },
        ),
        VISIBILITY_FIELDSET,
        (
            "DataCite metadata",
            {
                "fields": [
                    "creators",
                    "subjects",
                    "rights",
                    "related_identifiers",
                    "funding_references",
                ],
                "classes": ["collapse"],
            },
        ),
        ("Datasets", {"fields": ["datasets"]}),
        (
            "Sync",
            {
                "fields": ["source_updated_at", "source_digest", "created", "modified"],
                "classes": ["collapse"],
            },
        ),
    ]

    def view_on_site(self, obj: Publication) -> str:
        return reverse("publishing:publication_detail", args=[obj.doi])

    @admin.action(
        description="Withdraw selected publications (asks for a reason)", permissions=["change"]
    )
    def withdraw(
        self, request: HttpRequest, queryset: QuerySet[Publication]
    ) -> HttpResponse | None:
        return withdraw_action(
            request,
            queryset,
            modeladmin=self,
            action="withdraw",
            withdraw=lambda obj, reason: publication_withdraw(publication=obj, reason=reason),
        )

    @admin.action(
        description="Restore selected publications (make them public again)", permissions=["change"]
    )
    def restore(self, request: HttpRequest, queryset: QuerySet[Publication]) -> None:
        restore_action(
            request,
            queryset,
            modeladmin=self,
            restore=lambda obj: publication_restore(publication=obj),
        )
