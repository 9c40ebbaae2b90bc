"""The sync in the admin: every run with its counts and errors, the quarantine, the watermarks.

All read-only: the sync writes these. Staff can ask for quarantined records to be tried again
(after a fix in the catalogue or the portal): that enqueues the same task an operator's
``sync_catalogue --pid`` runs.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join

from sync.models import QuarantinedRecord, SyncCursor, SyncRun
from sync.services import COUNTS


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "kind",
        "status",
        "duration",
        "fetched",
        "created",
        "updated",
        "unchanged",
        "withdrawn",
        "failed",
        "dropped",
        "files_partial",
        "files_incomplete",
        "trigger",
    ]
    list_filter = ["status", "kind", "trigger"]
    date_hierarchy = "started_at"
    readonly_fields = [
        "kind",
        "status",
        "source",
        "catalogue_release",
        "trigger",
        "host",
        "process_id",
        "started_at",
        "finished_at",
        "duration",
        "watermark_from",
        "watermark_to",
        "fetched",
        *COUNTS,
        "requests",
        "retries",
        "message",
        "error_list",
    ]
    exclude = ["errors"]

    @admin.display(description="errors")
    def error_list(self, run: SyncRun) -> str:
        if not run.errors:
            return "none"
        return format_html_join("\n", "<div>{}</div>", ((error,) for error in run.errors))


@admin.register(QuarantinedRecord)
class QuarantinedRecordAdmin(ReadOnlyAdmin):
    list_display = ["pid", "kind", "error", "attempts", "first_seen", "last_seen"]
    list_filter = ["kind"]
    search_fields = ["pid", "error"]
    readonly_fields = [
        "kind",
        "pid",
        "error",
        "source_updated_at",
        "first_seen",
        "last_seen",
        "attempts",
        "run",
    ]
    actions = ["retry"]

    @admin.action(description="Try the selected records again")
    def retry(self, request: HttpRequest, queryset: QuerySet[QuarantinedRecord]) -> None:
        from sync.tasks import records_sync

        pids = list(queryset.filter(kind="dataset").values_list("pid", flat=True))
        if pids:
            records_sync.delay(pids)
        self.message_user(
            request,
            f"Asked the sync to read {len(pids)} record(s) again; see the sync runs.",
            messages.SUCCESS,
        )


@admin.register(SyncCursor)
class SyncCursorAdmin(ReadOnlyAdmin):
    list_display = ["name", "position", "source", "changed"]
