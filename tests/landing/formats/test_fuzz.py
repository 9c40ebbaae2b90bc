"""Whatever text a record holds, every format is written and stays readable (hypothesis)."""

from __future__ import annotations

import datetime as dt
import json
import re

import bibtexparser
import rispy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from landing.citation import cite
from landing.exports import EXPORTS, render_bytes
from landing.meta import head_html
from landing.negotiation import OFFERED, choose, parse_accept
from landing.records import LandingRecord
from landing.schemaorg import jsonld_script
from publishing.metadata import publication_metadata
from publishing.models import Publication
from publishing.record import parse
from tests.oai.conftest import kernel_schema

texts = st.text(min_size=0, max_size=40)
ALLOWED_TAGS = re.compile(r"</?(?:i|b|sup|sub|span)(?: class=\"csl-small-caps\")?>")
creators = st.lists(
    st.fixed_dictionaries(
        {"name": texts, "nameType": st.sampled_from(["Personal", "Organizational", ""])},
        optional={"givenName": texts, "familyName": texts},
    ),
    max_size=4,
)


def record_of(
    title: str, abstract: str, people: list[dict[str, str]], keywords: list[str]
) -> LandingRecord:
    publication = Publication(
        doi="10.5072/fuzz",
        title=title,
        abstract=abstract,
        creators=people,
        subjects=keywords,
        publication_year=2025,
        registered_at=dt.datetime(2025, 2, 3, tzinfo=dt.UTC),
    )
    return LandingRecord(
        kind="publication",
        identifier="10.5072/fuzz",
        doi="10.5072/fuzz",
        url="http://127.0.0.1:8000/doi/10.5072/fuzz",
        metadata=parse(publication_metadata(publication, datasets=[])),
        datasets=(),
        publication=publication,
        dataset=None,
        modified=dt.datetime(2025, 2, 3, tzinfo=dt.UTC),
        withdrawn=False,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts | st.just("<b>x</b> & <script>"), texts, creators, st.lists(texts, max_size=3))
def test_every_format_survives_any_text(
    title: str, abstract: str, people: list[dict[str, str]], keywords: list[str]
) -> None:
    record = record_of(title, abstract, people, keywords)
    for fmt in EXPORTS.values():
        assert render_bytes(record, fmt)
    tree = etree.fromstring(render_bytes(record, EXPORTS["datacite-xml"]))
    assert kernel_schema().validate(tree), kernel_schema().error_log
    library = bibtexparser.parse_string(render_bytes(record, EXPORTS["bibtex"]).decode())
    assert library.failed_blocks == []
    assert len(library.entries) == 1
    assert len(rispy.loads(render_bytes(record, EXPORTS["ris"]).decode())) == 1
    [item] = json.loads(render_bytes(record, EXPORTS["csl-json"]))
    assert item["DOI"] == "10.5072/fuzz"
    script = str(jsonld_script(record))
    assert script.count("</") == 1
    assert "<script" not in str(head_html(record))
    citation = cite(record)
    assert citation.text
    # Only the formatter's own tags reach the HTML; the record's text is escaped.
    assert "<" not in ALLOWED_TAGS.sub("", citation.html)


media_ranges = st.builds(
    "{};q={}".format,
    st.sampled_from([*OFFERED, "*/*", "text/*", "application/*", "image/png"]),
    st.sampled_from(["0", "0.5", "1"]),
)
accept_headers = st.lists(media_ranges, max_size=5).map(", ".join)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | accept_headers)
def test_any_accept_header_is_answered(header: str) -> None:
    ranges = parse_accept(header)
    media_type, media_range = choose(ranges)
    if media_type:
        # An offered type, chosen by a range that accepts it.
        assert media_type in OFFERED
        assert media_range.matches(media_type)
        assert media_range.q > 0
        return
    # Nothing chosen: every offered type is unmatched or refused (q=0) by its most specific range.
    for offered in OFFERED:
        matching = [(r.matches(offered), -r.order, r.q) for r in ranges if r.matches(offered)]
        assert not matching or max(matching)[2] <= 0, offered
