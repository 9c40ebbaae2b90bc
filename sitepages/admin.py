"""Site pages in the admin: edited as Markdown, previewed before saving, logged like every change.

Saving and deleting go through :mod:`sitepages.services` (which drop the stored copies); Django's
admin writes the change to its log (``LogEntry``, the "History" of each page) as for every other
staff action. "Preview" posts the form, unsaved, to :meth:`SitePageAdmin.preview_view`, which
renders the public page from it in a new tab.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from sitepages.markup import render_markdown
from sitepages.models import SitePage
from sitepages.services import site_page_delete, site_page_save


class SitePageForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("language"))

    class Meta:
        model = SitePage
        fields = ("slug", "language", "title", "description", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "cols": 100})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = list(settings.LANGUAGES)
        language.initial = settings.LANGUAGE_CODE
        language.help_text = str(SitePage._meta.get_field("language").help_text)


@admin.register(SitePage)
class SitePageAdmin(admin.ModelAdmin):
    form = SitePageForm
    list_display = ("title", "slug", "language", "modified")
    list_filter = ("language",)
    search_fields = ("title", "slug", "body")
    readonly_fields = ("modified",)
    change_form_template = "admin/sitepages/sitepage/change_form.html"

    def save_model(self, request: HttpRequest, obj: SitePage, form: Any, change: bool) -> None:
        site_page_save(page=obj)

    def delete_model(self, request: HttpRequest, obj: SitePage) -> None:
        site_page_delete(page=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SitePage]) -> None:
        for page in queryset:
            site_page_delete(page=page)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "preview/",
                self.admin_site.admin_view(require_POST(self.preview_view)),
                name="sitepages_sitepage_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The page as visitors would see it, from the form as posted (nothing is saved)."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        title = request.POST.get("title", "")
        context = {
            "title": title,
            "description": request.POST.get("description", ""),
            "body": render_markdown(request.POST.get("body", "")),
            "modified": None,
            "preview": True,
        }
        response = render(request, "sitepages/page.html", context)
        response["X-Robots-Tag"] = "noindex"
        response["Cache-Control"] = "no-store"
        return response
