"""Staff administration of the public catalogue.

Records come from the internal catalogue, so their data is read-only here: staff withdraw a record
(it keeps a tombstone page with the reason) or restore it, through the services that own those
writes. Files are never loaded into a change form (a dataset can have tens of thousands).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Model, QuerySet
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalogue.models import Dataset, Instrument, Proposal, Technique
from catalogue.services import dataset_restore, dataset_withdraw
from catalogue.visibility import Visibility

VISIBILITY_FIELDSET: tuple[str, Any] = (
    "Visibility",
    {"fields": ["visibility", "withdrawn_reason", "withdrawn_at", "withdrawn_by"]},
)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=2000,
        help_text="Shown to visitors on the record's page, e.g. “Withdrawn at the request of the "
        "principal investigator: the sample was mislabelled.”",
    )


def withdraw_action(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    modeladmin: admin.ModelAdmin[Any],
    action: str,
    withdraw: Callable[[Any, str], bool],
) -> HttpResponse | None:
    """An admin action that asks for a reason on an intermediate page, then withdraws."""
    form = WithdrawForm(request.POST if request.POST.get("apply") else None)
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["reason"]
        done = 0
        for obj in queryset:
            if withdraw(obj, reason):
                done += 1
                modeladmin.log_change(request, obj, f"Withdrawn: {reason}")
        skipped = queryset.count() - done
        opts = modeladmin.model._meta
        modeladmin.message_user(
            request,
            f"Withdrew {done} {opts.verbose_name if done == 1 else opts.verbose_name_plural}"
            + (f"; {skipped} already withdrawn." if skipped else "."),
            messages.SUCCESS if done else messages.WARNING,
        )
        return None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Withdraw {opts.verbose_name_plural}",
        "opts": opts,
        "queryset": queryset,
        "objects_name": opts.verbose_name_plural,
        "already_withdrawn": queryset.filter(visibility=Visibility.WITHDRAWN).count(),
        "form": form,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/withdraw_confirmation.html", context)


def restore_action(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    modeladmin: admin.ModelAdmin[Any],
    restore: Callable[[Any], bool],
) -> None:
    done = 0
    for obj in queryset:
        if restore(obj):
            done += 1
            modeladmin.log_change(request, obj, "Restored: public again.")
    opts = modeladmin.model._meta
    modeladmin.message_user(
        request,
        f"Restored {done} {opts.verbose_name if done == 1 else opts.verbose_name_plural}"
        + (f"; {queryset.count() - done} were public already." if queryset.count() > done else "."),
        messages.SUCCESS if done else messages.WARNING,
    )


class ReadOnlyRecordAdmin(admin.ModelAdmin):
    """Records the sync owns: viewable, withdrawable and restorable, never edited or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        meta = self.model._meta
        return [f.name for f in meta.fields] + [f.name for f in meta.many_to_many]


class YearFilter(admin.SimpleListFilter):
    """The year a dataset's measurement started."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = (
            Dataset.objects.filter(start_time__isnull=False)
            .annotate(year=ExtractYear("start_time"))
            .values_list("year", flat=True)
            .distinct()
            .order_by("-year")
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(start_time__year=int(value))
        return queryset


@admin.register(Dataset)
class DatasetAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "pid",
        "title",
        "proposal",
        "run_number",
        "instrument",
        "visibility",
        "start_time",
        "data_location",
    ]
    list_display_links = ["pid"]
    list_filter = ["visibility", "instrument", YearFilter, "data_location", "files_status", "type"]
    # A proposal id or run number is matched whole; pids, titles and instruments in part.
    search_fields = [
        "pid",
        "title",
        "=proposal__proposal_id",
        "=run_number",
        "instrument__name",
        "instrument__unique_name",
    ]
    search_help_text = _("PID, title, proposal id, run number or instrument")
    list_select_related = ["proposal", "instrument"]
    show_full_result_count = False
    list_per_page = 50
    raw_id_fields = ["instrument", "proposal"]
    autocomplete_fields = ["techniques"]
    actions = ["withdraw", "restore"]
    fieldsets = [
        (None, {"fields": ["pid", "title", "type", "description"]}),
        VISIBILITY_FIELDSET,
        ("Times", {"fields": ["creation_time", "start_time", "end_time", "embargo_end"]}),
        (
            "Data",
            {
                "fields": [
                    "size",
                    "number_of_files",
                    "files_status",
                    "data_location",
                    "data_format",
                    "source_folder",
                    "run_number",
                    "license",
                    "keywords",
                ]
            },
        ),
        (
            "Context",
            {
                "fields": [
                    "instrument",
                    "proposal",
                    "techniques",
                    "principal_investigators",
                    "creators",
                ]
            },
        ),
        ("Scientific metadata", {"fields": ["scientific_metadata"], "classes": ["collapse"]}),
        (
            "Sync",
            {
                "fields": ["source_updated_at", "source_digest", "created", "modified"],
                "classes": ["collapse"],
            },
        ),
    ]

    def view_on_site(self, obj: Dataset) -> str:
        return reverse("landing:dataset", args=[obj.pid])

    @admin.action(
        description="Withdraw selected datasets (asks for a reason)", permissions=["change"]
    )
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Dataset]) -> HttpResponse | None:
        return withdraw_action(
            request,
            queryset,
            modeladmin=self,
            action="withdraw",
            withdraw=lambda obj, reason: dataset_withdraw(dataset=obj, reason=reason),
        )

    @admin.action(
        description="Restore selected datasets (make them public again)", permissions=["change"]
    )
    def restore(self, request: HttpRequest, queryset: QuerySet[Dataset]) -> None:
        restore_action(
            request, queryset, modeladmin=self, restore=lambda obj: dataset_restore(dataset=obj)
        )


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["unique_name", "name", "facility", "pid"]
    search_fields = ["pid", "unique_name", "name", "facility"]
    list_filter = ["facility"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["proposal_id", "title", "pi_name", "type", "start_time"]
    search_fields = ["=proposal_id", "title", "pi_name"]
    list_filter = ["type"]
    show_full_result_count = False


@admin.register(Technique)
class TechniqueAdmin(admin.ModelAdmin):
    list_display = ["name", "pid"]
    search_fields = ["pid", "name"]
