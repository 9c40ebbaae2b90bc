"""The audit log of DataCite calls, shown on a publication's admin page."""

from __future__ import annotations

import json

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.html import format_html

from publishing.models import DataCiteCall


class DataCiteCallInline(admin.TabularInline):
    """The audit log: every request to DataCite and its answer, newest first."""

    model = DataCiteCall
    extra = 0
    can_delete = False
    max_num = 0
    ordering = ["-at", "-id"]
    fields = ["at", "attempt", "method", "path", "status", "duration_ms", "answer"]
    readonly_fields = ["at", "attempt", "method", "path", "status", "duration_ms", "answer"]
    verbose_name_plural = "DataCite calls (audit log)"

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description="request and answer")
    def answer(self, call: DataCiteCall) -> str:
        summary = call.error or _summary(call.response_body)
        return format_html(
            "{}<details><summary>details</summary><p>Sent:</p><pre>{}</pre>"
            "<p>Answer:</p><pre>{}</pre></details>",
            summary,
            _pretty(call.request_body) or "(nothing)",
            _pretty(call.response_body) or call.error or "(nothing)",
        )


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)[:20_000]
    except ValueError:
        return text[:20_000]


def _summary(body: str) -> str:
    """DataCite's error messages, or the DOI's state, in one line."""
    try:
        doc = json.loads(body)
    except ValueError:
        return body[:200]
    if isinstance(doc, dict) and isinstance(doc.get("errors"), list):
        return "; ".join(
            f"{e.get('source')}: {e.get('title')}" if e.get("source") else str(e.get("title"))
            for e in doc["errors"]
            if isinstance(e, dict)
        )[:500]
    attributes = (doc.get("data") or {}).get("attributes") if isinstance(doc, dict) else None
    if isinstance(attributes, dict):
        return f"{attributes.get('doi')}: {attributes.get('state')}"
    return ""
