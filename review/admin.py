"""Reviews in the admin: create one, give out more links, revoke or renew links, cancel.

A link's token is shown once, in the message after it was made; the admin only ever sees how
often and when each link was used.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from catalogue.visibility import WithdrawnBy
from publishing.models import ReservedDataset
from review.forms import ReviewCreateForm
from review.models import Review, ReviewLink
from review.services import (
    ReviewError,
    review_cancel,
    review_create,
    review_link_create,
    review_link_renew,
    review_link_revoke,
)


class ReviewLinkInline(admin.TabularInline):
    model = ReviewLink
    extra = 0
    can_delete = False
    fields = ("label", "expires_at", "revoked_at", "use_count", "last_used_at", "created")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _state(review: Review) -> str:
    if review.cancelled:
        if review.publication.withdrawn_by == WithdrawnBy.CATALOGUE:
            return _("not released: deleted in the catalogue")
        return _("cancelled")
    return _("released") if review.released else _("under embargo")


def _record_state(record: ReservedDataset) -> str:
    if record.released_at is not None:
        return _("released %(date)s") % {"date": f"{record.released_at:%Y-%m-%d}"}
    if record.missing_since is not None:
        return _("deleted in the catalogue since %(date)s") % {
            "date": f"{record.missing_since:%Y-%m-%d %H:%M} UTC"
        }
    return _("under embargo")


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["id", "doi", "state", "anonymous", "proposal_id", "created"]
    list_filter = ["anonymous"]
    search_fields = ["publication__doi", "proposal_id", "note"]
    fields = [
        "publication",
        "records",
        "anonymous",
        "proposal_id",
        "note",
        "created_by",
        "cancelled_at",
    ]
    readonly_fields = [
        "publication",
        "records",
        "anonymous",
        "proposal_id",
        "created_by",
        "cancelled_at",
    ]
    inlines = [ReviewLinkInline]
    actions = ["another_link", "cancel"]

    @admin.display(description="DOI")
    def doi(self, review: Review) -> str:
        return review.publication.doi

    @admin.display(description="state")
    def state(self, review: Review) -> str:
        return _state(review)

    @admin.display(description="records")
    def records(self, review: Review) -> str:
        """Each record's pid and where it stands (released, deleted in the catalogue since)."""
        rows = ReservedDataset.objects.filter(publication_id=review.publication_id)
        return format_html_join(
            mark_safe("<br>"), "{} ({})", ((r.pid, _record_state(r)) for r in rows)
        )

    def add_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """A form of its own: the review is made by the service, not saved from a ModelForm."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ReviewCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                review, new = review_create(
                    pids=data["pids"],
                    proposal_id=data["proposal"],
                    expires=data["expires"],
                    anonymous=data["anonymous"],
                    note=data["note"],
                    created_by=request.user,
                )
            except ReviewError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request,
                    _("DOI %(doi)s reserved. Review link (shown only now): %(url)s")
                    % {"doi": review.publication.doi, "url": new.url},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:review_review_change", args=[review.pk]))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("Create a review"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/review/create.html", context)

    @admin.action(description="Make another link (shown once)")
    def another_link(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        for review in queryset:
            try:
                new = review_link_create(review=review)
            except ReviewError as exc:
                self.message_user(request, f"{review}: {exc}", messages.ERROR)
                continue
            self.message_user(request, f"{review}: {new.url}", messages.SUCCESS)

    @admin.action(description="Cancel: the data will not be released")
    def cancel(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        done = sum(review_cancel(review=review) for review in queryset)
        self.message_user(request, _("%(n)d review(s) cancelled.") % {"n": done})


@admin.register(ReviewLink)
class ReviewLinkAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "review",
        "label",
        "expires_at",
        "revoked_at",
        "use_count",
        "last_used_at",
    ]
    list_filter = ["revoked_at"]
    fields = ["review", "label", "expires_at", "revoked_at", "use_count", "last_used_at"]
    readonly_fields = ["review", "revoked_at", "use_count", "last_used_at"]
    actions = ["revoke", "renew"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # links are made from their review (the token is shown once there)

    @admin.action(description="Revoke (the link answers 404 at once)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ReviewLink]) -> None:
        done = sum(review_link_revoke(link=link) for link in queryset)
        self.message_user(request, _("%(n)d link(s) revoked.") % {"n": done})

    @admin.action(description="Renew (expires PORTAL_REVIEW_LINK_DAYS from today)")
    def renew(self, request: HttpRequest, queryset: QuerySet[ReviewLink]) -> None:
        done = sum(review_link_renew(link=link) for link in queryset)
        self.message_user(request, _("%(n)d link(s) renewed.") % {"n": done})
