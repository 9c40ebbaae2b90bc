"""Writes of the site pages: each drops the page's stored copies once the change commits."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from catalogue import page_cache
from sitepages.models import SitePage


def _drop_stored(slug: str) -> None:
    # A version serves its own language and, in the default language, every language without
    # one of its own: drop the copies of every language.
    languages = {code for code, _ in settings.LANGUAGES} | {settings.LANGUAGE_CODE}
    page_cache.drop_after_commit([page_cache.site_page_key(slug, code) for code in languages])


@transaction.atomic
def site_page_save(*, page: SitePage) -> SitePage:
    """Store ``page`` (new or changed) and drop the old copies of its address."""
    if page.pk is not None:
        old_slug = SitePage.objects.filter(pk=page.pk).values_list("slug", flat=True).first()
        if old_slug and old_slug != page.slug:
            _drop_stored(old_slug)
    page.full_clean()
    page.save()
    _drop_stored(page.slug)
    return page


@transaction.atomic
def site_page_delete(*, page: SitePage) -> None:
    slug = page.slug
    page.delete()
    _drop_stored(slug)
