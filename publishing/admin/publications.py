"""The publications' admin: list, form, preview link, check and register, withdraw and restore.

Curators (group "Curators") create publications from datasets or a beamtime's datasets, fill in
the DataCite fields and preview the landing page. Publishers (group "Publishers", permission
``publishing.register_publication``) register the DOI, and withdraw or restore publications; a
registered publication's metadata is edited by publishers only, since saving it updates DataCite.
Publications imported from the catalogue stay read-only here, as before.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_http_methods

from catalogue.admin import VISIBILITY_FIELDSET, restore_action, withdraw_action
from publishing.admin.datacite_calls import DataCiteCallInline
from publishing.admin.editor import datasets_view, editor_view, people_view
from publishing.admin.register import can_register, register_view
from publishing.checklist import registration_checklist
from publishing.doi_metadata import MetadataInvalid
from publishing.forms import PublicationForm
from publishing.models import DoiState, Publication, PublicationQuerySet
from publishing.services.drafts import publication_changed, publication_save
from publishing.services.errors import PublicationError
from publishing.services.registration import landing_url, new_doi, publication_register
from publishing.services.withdrawal import publication_restore, publication_withdraw

DOI_FIELDS = [
    "doi",
    "doi_state",
    "doi_state_reason",
    "doi_state_changed_at",
    "datacite_state",
    "datacite_synced_at",
    "registered_at",
]
STATE_COLOURS = {
    DoiState.FINDABLE: "#1e7b34",
    DoiState.HIDDEN: "#6c757d",
    DoiState.FAILED: "#b02a37",
    DoiState.REGISTERING: "#0a58a5",
    DoiState.UPDATING: "#0a58a5",
    DoiState.DRAFT: "#8a5a00",
    DoiState.EXTERNAL: "#555",
    DoiState.RESERVED: "#5a3d99",
}


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    form = PublicationForm
    list_display = ["doi_or_draft", "title", "state", "visibility", "publication_year", "created"]
    list_display_links = ["doi_or_draft"]
    list_filter = ["doi_state", "visibility", "publication_year"]
    search_fields = ["doi", "title"]
    raw_id_fields = ["datasets"]
    actions = ["register", "withdraw", "restore"]
    inlines = [DataCiteCallInline]
    change_form_template = "admin/publishing/publication/change_form.html"
    show_full_result_count = False

    # -- who may do what -------------------------------------------------------------------------

    def has_register_permission(self, request: HttpRequest) -> bool:
        return can_register(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A publication is made of datasets: from the dataset or proposal list's actions.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        if isinstance(obj, Publication):
            if not obj.is_managed:
                return False  # imported: registered elsewhere, read-only here
            if obj.is_registered and not can_register(request):
                return False  # saving would update DataCite: a publisher's call
        return True

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        if isinstance(obj, Publication):
            # Only what never reached DataCite: a DOI is forever.
            return (
                obj.is_managed
                and obj.registered_at is None
                and obj.doi_state in (DoiState.DRAFT, DoiState.FAILED)
                and not obj.datacite_state
            )
        return obj is None

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # per draft only, from its page
        return actions

    # -- the change form -------------------------------------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        main = [
            "title",
            "other_titles",
            "abstract",
            "creators",
            "contributors",
            "publisher",
            "publication_year",
            "resource_type",
            "version",
        ]
        more = [
            "subjects",
            "rights",
            "related_identifiers",
            "funding_references",
            "dates",
            "geo_locations",
        ]
        fieldsets: list[Any] = []
        if obj is not None:
            fieldsets.append(("DOI", {"fields": DOI_FIELDS}))
        fieldsets += [
            (None, {"fields": main}),
            ("More DataCite metadata", {"fields": more}),
            ("Datasets", {"fields": ["datasets"]}),
        ]
        if obj is not None:
            fieldsets.append(VISIBILITY_FIELDSET)
            fieldsets.append(
                (
                    "Bookkeeping",
                    {
                        "fields": [
                            "datacite_digest",
                            "source_updated_at",
                            "source_digest",
                            "created",
                            "modified",
                        ],
                        "classes": ["collapse"],
                    },
                )
            )
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fixed = [
            *DOI_FIELDS,
            "datacite_digest",
            "visibility",
            "withdrawn_reason",
            "withdrawn_at",
            "withdrawn_by",
            "source_updated_at",
            "source_digest",
            "created",
            "modified",
        ]
        if obj is not None and not self.has_change_permission(request, obj):
            meta = self.model._meta
            return [f.name for f in meta.fields] + [f.name for f in meta.many_to_many]
        return fixed

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        return [] if obj is None or not obj.is_managed else list(self.inlines)

    def save_model(
        self, request: HttpRequest, obj: Publication, form: ModelForm, change: bool
    ) -> None:
        publication_save(publication=obj, fields=form.changed_data if change else None)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        if change and publication_changed(publication=form.instance):
            self.message_user(
                request,
                f"The metadata of {form.instance.doi} is being updated at DataCite.",
                messages.INFO,
            )

    def view_on_site(self, obj: Publication) -> str | None:
        if not obj.doi or not Publication.objects.on_site().filter(pk=obj.pk).exists():
            return None
        return reverse("landing:publication", args=[obj.doi])

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Publication | None = None,
    ) -> HttpResponse:
        context["can_register"] = can_register(request)
        context["DoiState"] = DoiState
        if obj is not None:
            context["doi_state_colour"] = STATE_COLOURS.get(DoiState(obj.doi_state), "#555")
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- the list --------------------------------------------------------------------------------

    @admin.display(description="DOI", ordering="doi")
    def doi_or_draft(self, obj: Publication) -> str:
        return obj.doi or f"(draft {obj.pk})"

    @admin.display(description="DOI state", ordering="doi_state")
    def state(self, obj: Publication) -> str:
        colour = STATE_COLOURS.get(DoiState(obj.doi_state), "#555")
        label = DoiState(obj.doi_state).label
        if obj.doi_state == DoiState.FAILED:
            return format_html(
                '<strong style="color:{}" title="{}">{}</strong>',
                colour,
                obj.doi_state_reason,
                label,
            )
        return format_html('<span style="color:{}">{}</span>', colour, label)

    # -- pages of one publication: preview, check and register -----------------------------------

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/preview/",
                wrap(self.preview_view),
                name="{}_{}_preview".format(*info),
            ),
            path(
                "<path:object_id>/register/",
                wrap(require_http_methods(["GET", "POST"])(self.register_view)),
                name="{}_{}_register".format(*info),
            ),
            path(
                "<path:object_id>/json/",
                wrap(require_http_methods(["GET", "POST"])(self.json_view)),
                name="{}_{}_json".format(*info),
            ),
            path(
                "<path:object_id>/datasets/",
                wrap(require_http_methods(["GET", "POST"])(self.datasets_view)),
                name="{}_{}_datasets".format(*info),
            ),
            path(
                "people/",
                wrap(require_http_methods(["GET"])(self.people_view)),
                name="{}_{}_people".format(*info),
            ),
            *super().get_urls(),
        ]

    def _publication(self, request: HttpRequest, object_id: str) -> Publication:
        publication = get_object_or_404(Publication, pk=unquote(object_id))
        if not self.has_view_or_change_permission(request, publication):
            raise PermissionDenied
        return publication

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The landing page as visitors will see it, before it is public: landing's staff URL."""
        publication = self._publication(request, object_id)
        return HttpResponseRedirect(reverse("landing:publication_preview", args=[publication.pk]))

    def register_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET: the DOI, the checklist and DataCite's payload. POST (publishers): register."""
        return register_view(self, request, self._publication(request, object_id))

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """A portal publication staff may edit opens in the structured editor."""
        key = unquote(object_id)
        publication = Publication.objects.filter(pk=key).first() if key.isdigit() else None
        if (
            publication is not None
            and publication.is_managed
            and self.has_change_permission(request, publication)
        ):
            return editor_view(self, request, publication)  # type: ignore[arg-type]
        return super().change_view(request, object_id, form_url, extra_context)

    def json_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The DataCite lists as JSON, for experts: Django's own change form, checked the same."""
        return super().change_view(request, object_id)

    def datasets_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return datasets_view(self, request, self._publication(request, object_id))  # type: ignore[arg-type]

    def people_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return people_view(self, request)  # type: ignore[arg-type]

    # -- actions ---------------------------------------------------------------------------------

    @admin.action(
        description="Register the DOIs of the selected publications", permissions=["register"]
    )
    def register(self, request: HttpRequest, queryset: PublicationQuerySet) -> None:
        started, refused = 0, []
        for publication in queryset.managed().order_by("pk"):
            doi = publication.doi or new_doi(settings.DATACITE_PREFIX or "10.5072")
            failed = registration_checklist(publication, doi=doi, url=landing_url(doi)).failed
            if failed and publication.doi_state in (DoiState.DRAFT, DoiState.FAILED):
                labels = "; ".join(str(check.label) for check in failed)
                refused.append(format_html("{}: fix first: {}", publication, labels))
                continue
            try:
                if publication_register(publication_id=publication.pk, doi=doi):
                    started += 1
                    self.log_change(request, publication, "Asked DataCite to register the DOI.")
            except MetadataInvalid as exc:
                refused.append(format_html("{}: fix the metadata first ({})", publication, exc))
            except PublicationError as exc:
                refused.append(format_html("{}: {}", publication, exc))
        if started:
            self.message_user(
                request, f"Registering {started} DOI(s) at DataCite; their states show the outcome."
            )
        if refused:
            self.message_user(
                request,
                format_html(
                    "Not registered:<ul>{}</ul>",
                    format_html_join("", "<li>{}</li>", ((r,) for r in refused)),
                ),
                messages.ERROR,
            )
        skipped = queryset.count() - started - len(refused)
        if skipped and not refused:
            self.message_user(
                request,
                f"{skipped} publication(s) left as they were (registered already, or elsewhere).",
                messages.WARNING,
            )

    @admin.action(
        description="Withdraw selected publications (asks for a reason; hides their DOIs)",
        permissions=["register"],
    )
    def withdraw(self, request: HttpRequest, queryset: PublicationQuerySet) -> HttpResponse | None:
        drafts = queryset.count() - queryset.on_site().count()
        if drafts and not request.POST.get("apply"):
            self.message_user(
                request,
                f"{drafts} draft(s) left out: they have no public page to withdraw (delete them "
                "instead).",
                messages.WARNING,
            )
        return withdraw_action(
            request,
            queryset.on_site(),
            modeladmin=self,
            action="withdraw",
            withdraw=lambda obj, reason: publication_withdraw(publication=obj, reason=reason),
        )

    @admin.action(
        description="Restore selected publications (public again; DOIs findable again)",
        permissions=["register"],
    )
    def restore(self, request: HttpRequest, queryset: PublicationQuerySet) -> None:
        restore_action(
            request,
            queryset,
            modeladmin=self,
            restore=lambda obj: publication_restore(publication=obj),
        )


# -- creating publications from the catalogue's admin -------------------------------------------
