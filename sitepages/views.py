"""The site pages (about, contact, imprint, privacy, accessibility ...), whole in the page cache."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from catalogue import page_cache
from sitepages.markup import render_markdown
from sitepages.selectors import site_page_for


@require_safe
def site_page(request: HttpRequest, slug: str) -> HttpResponse:
    language = get_language() or settings.LANGUAGE_CODE
    key = page_cache.site_page_key(slug, language) if page_cache.cacheable(request) else ""
    if key and (stored := page_cache.get(key)) is not None:
        return page_cache.respond(request, stored)
    page = site_page_for(slug=slug, language=language)
    if page is None:
        raise Http404("No such page")
    context = {
        "page": page,
        "title": page.title,
        "description": page.description,
        "body": render_markdown(page.body),
        "modified": page.modified,
    }
    response = render(request, "sitepages/page.html", context)
    if key and (stored := page_cache.store(key, response)) is not None:
        return page_cache.respond(request, stored)
    return page_cache.public(response)
