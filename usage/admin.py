"""The usage figures in the admin, read-only: per dataset or publication, month and access
method (search by PID or DOI), and the months aggregated. Raw events are not shown."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from usage.models import AggregatedMonth, DataCiteUsageReport, UsageMonth


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(UsageMonth)
class UsageMonthAdmin(ReadOnly):
    list_display = (
        "month",
        "dataset",
        "publication",
        "access_method",
        "total_investigations",
        "unique_investigations",
        "total_requests",
        "unique_requests",
    )
    list_filter = ("access_method", "month")
    list_select_related = ("dataset", "publication")
    search_fields = ("dataset__pid", "publication__doi")
    date_hierarchy = "month"
    show_full_result_count = False


@admin.register(AggregatedMonth)
class AggregatedMonthAdmin(ReadOnly):
    list_display = ("month", "aggregated_at", "events", "closed")


@admin.register(DataCiteUsageReport)
class DataCiteUsageReportAdmin(ReadOnly):
    """Each month's report at DataCite: its id there, what was sent and when, the last error."""

    list_display = ("month", "report_id", "items", "parts", "times_sent", "sent_at", "error")
