"""The staff preview of a publication's landing page, drafts and unregistered ones included.

A landing URL (``/preview/publications/<id>``), not an admin view: the admin links here, so
``publishing`` never imports ``landing``. Staff only (the admin's login), and only those who may
see the publication in the admin; the page says it is a preview and is never indexed.
"""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from landing.records import publication_record
from landing.views import publication_context
from publishing.models import Publication

# Who may preview: who may see the publication in the admin.
PREVIEW_PERMISSIONS = ("publishing.view_publication", "publishing.change_publication")


@require_safe
@staff_member_required
def publication_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The landing page of publication ``pk`` as visitors will see it, before it is public."""
    if not any(request.user.has_perm(p) for p in PREVIEW_PERMISSIONS):
        raise PermissionDenied
    publication = get_object_or_404(Publication, pk=pk)
    context = publication_context(
        request, publication, publication_record(publication), page_url=request.path
    )
    context["change_url"] = reverse("admin:publishing_publication_change", args=[publication.pk])
    return render(request, "landing/preview.html", context)
