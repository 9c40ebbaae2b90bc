"""BibTeX escaping: LaTeX's special characters, braces paired or not, accents kept as UTF-8."""

from __future__ import annotations

import bibtexparser
from bibtexparser.middlewares import LatexDecodingMiddleware
from hypothesis import given, settings
from hypothesis import strategies as st

from publishing.formats.bibtex import bibtex_escape


def round_trip(value: str) -> dict[str, str]:
    text = f"@misc{{key,\n  title = {{{bibtex_escape(value)}}},\n  year = {{2025}}\n}}\n"
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert library.failed_blocks == []
    [entry] = library.entries
    return {field.key: field.value for field in entry.fields}


def test_latex_specials_are_escaped() -> None:
    assert bibtex_escape("50% of A&B cost $5 #1 a_b") == r"50\% of A\&B cost \$5 \#1 a\_b"
    assert (
        bibtex_escape("x^2 ~y \\z") == r"x\textasciicircum{}2 \textasciitilde{}y \textbackslash{}z"
    )


def test_paired_braces_are_escaped_as_braces() -> None:
    assert bibtex_escape("{Bi}2Se3") == r"\{Bi\}2Se3"
    assert round_trip("{Bi}2Se3")["title"] == "{Bi}2Se3"


def test_an_unpaired_brace_cannot_end_the_field() -> None:
    assert bibtex_escape("a } b {") == r"a \textbraceright{} b \textbraceleft{}"
    fields = round_trip("a } b { c")
    assert fields["year"] == "2025"  # the field after it is still there


def test_accents_and_other_scripts_stay_utf8() -> None:
    assert bibtex_escape("Müller, Ørsted, Łukasz, 東京") == "Müller, Ørsted, Łukasz, 東京"
    assert round_trip("Müller Ørsted")["title"] == "Müller Ørsted"


def test_newlines_become_spaces() -> None:
    assert bibtex_escape("two\nlines\r\n  here") == "two lines here"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_keeps_the_entry_whole(value: str) -> None:
    fields = round_trip(value)
    assert set(fields) == {"title", "year"}
    assert fields["year"] == "2025"
