"""Citations with citeproc-py: the six styles of the switcher, locales, escaping, errors."""

from __future__ import annotations

import pytest

from landing.citation import (
    DEFAULT_STYLE,
    STYLES,
    CitationError,
    citations,
    cite,
    locale_name,
    style_file,
)
from landing.records import dataset_record, publication_record
from publishing.models import Publication


def test_every_switcher_style_cites_the_publication(publication: Publication) -> None:
    record = publication_record(publication)
    out = {c.style: c for c in citations(record)}
    assert list(out) == ["apa", "harvard", "mla", "vancouver", "chicago", "ieee"]
    for citation in out.values():
        assert "Franklin" in citation.text
        assert "2025" in citation.text
        assert "10.5072/landing-formats-0001" in citation.text
        assert not citation.text.startswith(("[1]", "1."))
    assert out["apa"].text.startswith("Franklin, R., Ørsted, H. C., & Beamline P08 team")
    assert out["ieee"].text.startswith("R. Franklin, H. C. Ørsted, and Beamline P08 team")


def test_default_is_apa_in_us_english(publication: Publication) -> None:
    citation = cite(publication_record(publication))
    assert (citation.style, citation.locale) == ("apa", "en-US")
    assert DEFAULT_STYLE == "apa"


def test_html_is_escaped_and_text_is_plain(publication: Publication) -> None:
    citation = cite(publication_record(publication), "apa")
    assert "Strain &amp; {stress}" in citation.html
    assert "<i>" in citation.html  # APA sets the title in italics
    assert "<script" not in citation.html
    assert "Strain & {stress}" in citation.text
    assert "<" not in citation.text


def test_a_dataset_is_cited_by_its_handle(dataset: object) -> None:
    record = dataset_record(dataset)  # type: ignore[arg-type]
    assert f"https://hdl.handle.net/{record.dataset.pid}" in cite(record).text  # type: ignore[union-attr]


def test_locale_changes_the_words(publication: Publication) -> None:
    record = publication_record(publication)
    english = cite(record, "harvard", "en-GB").text
    german = cite(record, "harvard", "de").text
    assert "Available at" in english
    assert "Verfügbar unter" in german
    assert cite(record, "harvard", "de").locale == "de-DE"


def test_styles_by_file_name_and_any_bundled_independent_style(
    publication: Publication,
) -> None:
    record = publication_record(publication)
    assert cite(record, "modern-language-association").style == "mla"
    assert "Franklin" in cite(record, "nature").text


@pytest.mark.parametrize(
    "style", ["nonsense", "../../etc/passwd", "APA ", "", "x" * 500, "/tmp/apa"]
)
def test_unknown_or_hostile_style_names(style: str) -> None:
    if style.strip().lower() in STYLES or not style.strip():
        assert style_file(style)[0] in STYLES
        return
    with pytest.raises(CitationError):
        style_file(style)


@pytest.mark.parametrize("locale", ["xx-YY", "../en-US", "en US", "e" * 50])
def test_unknown_locale(locale: str) -> None:
    with pytest.raises(CitationError):
        locale_name(locale)


def test_locale_spellings() -> None:
    assert locale_name("en_us") == "en-US"
    assert locale_name("FR") == "fr-FR"
    assert locale_name(None) == "en-US"


def test_a_citation_is_formatted_once_per_record_state(publication: Publication) -> None:
    record = publication_record(publication)
    first = cite(record, "chicago")
    assert cite(record, "chicago") == first
    publication.title = "Another title"
    publication.save()
    assert "Another Title" in cite(publication_record(publication), "chicago").text
