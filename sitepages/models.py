"""The site pages staff edit in the admin: about, contact, imprint, privacy, accessibility.

One row per page and language: ``slug`` names the page (its address, :mod:`sitepages.urls`),
``language`` the version (a code of ``LANGUAGES``). A visitor gets the version in their language,
else the one in ``LANGUAGE_CODE`` (:func:`sitepages.selectors.site_page_for`), so a page needs a
version in the default language and may have others. The body is Markdown with HTML switched
off (:mod:`sitepages.markup`).
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The pages every portal has, with addresses of their own (the footer links them); staff may add
# others, served under /pages/<slug>/.
KNOWN_SLUGS = ("about", "contact", "imprint", "privacy", "accessibility")


def page_path(slug: str) -> str:
    """The public address of the page ``slug``."""
    if slug in KNOWN_SLUGS:
        return reverse(f"sitepages:{slug}")
    return reverse("sitepages:page", args=[slug])


class SitePage(models.Model):
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        help_text=_(
            "The page's address: about, contact, imprint, privacy and accessibility have their "
            "own (linked from the footer); any other slug is served at /pages/<slug>/."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        help_text=_(
            "The language of this version. Visitors without a version in their language get the "
            "default language's."
        ),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences for search engines (the page's meta description)."),
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "Markdown: paragraphs, **bold**, *italic*, [links](https://example.org), lists, "
            "tables, ## headings. HTML is shown as text, not run; images are not shown."
        ),
    )
    modified = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        verbose_name = _("site page")
        verbose_name_plural = _("site pages")
        ordering = ("slug", "language")
        constraints = [
            models.UniqueConstraint(fields=("slug", "language"), name="sitepage_slug_language"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.slug}, {self.language})"

    def get_absolute_url(self) -> str:
        return page_path(self.slug)
