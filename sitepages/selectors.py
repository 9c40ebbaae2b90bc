"""Reads of the site pages."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from sitepages.models import SitePage


def site_page_for(*, slug: str, language: str) -> SitePage | None:
    """The page ``slug`` in ``language``, else in the default language, else None."""
    versions = {
        page.language: page
        for page in SitePage.objects.filter(
            slug=slug, language__in={language, settings.LANGUAGE_CODE}
        )
    }
    return versions.get(language) or versions.get(settings.LANGUAGE_CODE)


def site_pages_listed() -> QuerySet[SitePage]:
    """The pages in the default language (one per address): what the sitemap lists."""
    return SitePage.objects.filter(language=settings.LANGUAGE_CODE)
