"""Restage requests for staff: every request with its state, who waits (counted, never shown:
addresses are personal data and erased when done), approve, refuse or cancel (with a reason the
requesters get). The localities are read-only: the storage system writes them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tape import restage
from tape.models import DatasetLocality, RestageRequest


@admin.register(RestageRequest)
class RestageRequestAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "dataset",
        "state",
        "created",
        "files",
        "bytes",
        "waiting",
        "attempts",
        "online_until",
    ]
    list_filter = ["state"]
    search_fields = ["dataset__pid", "stage_id"]
    date_hierarchy = "created"
    readonly_fields = [
        "dataset",
        "state",
        "created",
        "files",
        "bytes",
        "stage_id",
        "submitted_at",
        "online_at",
        "online_until",
        "finished_at",
        "attempts",
        "next_attempt_at",
        "last_error",
        "decided_by",
        "reason",
        "waiting",
    ]
    exclude = ["paths"]
    actions = ["approve", "refuse", "cancel"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RestageRequest]:
        return (
            super()
            .get_queryset(request)
            .select_related("dataset")
            .annotate(n_waiting=Count("requesters"))
        )

    @admin.display(description=gettext_lazy("people waiting"))
    def waiting(self, obj: Any) -> int:
        return int(getattr(obj, "n_waiting", 0))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Approve the selected requests"))
    def approve(self, request: HttpRequest, queryset: QuerySet[RestageRequest]) -> None:
        by = request.user.get_username()
        done = sum(restage.restage_approve(request=r, by=by) for r in queryset)
        self.message_user(request, _("%(n)d request(s) approved.") % {"n": done}, messages.SUCCESS)

    def _with_reason(
        self, request: HttpRequest, queryset: QuerySet[RestageRequest], action: str
    ) -> HttpResponse | None:
        reason = request.POST.get("reason", "").strip()
        if "apply" not in request.POST or not reason:
            return TemplateResponse(
                request,
                "admin/tape/reason.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Refuse requests") if action == "refuse" else _("Cancel requests"),
                    "action": action,
                    "queryset": queryset,
                    "missing": "apply" in request.POST,
                    "opts": self.model._meta,
                },
            )
        by = request.user.get_username()
        service = restage.restage_refuse if action == "refuse" else restage.restage_cancel
        done = sum(service(request=r, by=by, reason=reason) for r in queryset)
        self.message_user(
            request, _("%(n)d request(s) closed; the requesters are told.") % {"n": done}
        )
        return None

    @admin.action(description=gettext_lazy("Refuse the selected requests (with a reason)"))
    def refuse(
        self, request: HttpRequest, queryset: QuerySet[RestageRequest]
    ) -> HttpResponse | None:
        return self._with_reason(request, queryset, "refuse")

    @admin.action(description=gettext_lazy("Cancel the selected requests (with a reason)"))
    def cancel(
        self, request: HttpRequest, queryset: QuerySet[RestageRequest]
    ) -> HttpResponse | None:
        return self._with_reason(request, queryset, "cancel")


@admin.register(DatasetLocality)
class DatasetLocalityAdmin(admin.ModelAdmin):
    list_display = ["dataset", "location", "files_on_disk", "files_total", "checked_at"]
    list_filter = ["location"]
    search_fields = ["dataset__pid"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
