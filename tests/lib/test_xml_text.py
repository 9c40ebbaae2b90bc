"""lib.xml_text: forbidden characters dropped, markup characters escaped."""

from __future__ import annotations

import pytest
from lxml import etree

from lib.xml_text import escape, xml_text


def test_xml_text_keeps_tabs_and_newlines() -> None:
    assert xml_text("a\tb\nc\rd\x00\x08e") == "a\tb\nc\rde"


def test_xml_text_of_none_is_empty() -> None:
    assert xml_text(None) == ""


def test_xml_text_drops_lone_surrogates_and_nonchars() -> None:
    assert xml_text("a\ud800b\ufffec\uffffd") == "abcd"


def test_escape_escapes_markup_and_quotes() -> None:
    assert escape('<a href="x">&</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"


def test_escape_drops_forbidden_characters() -> None:
    assert escape("a\x00<b\x1f") == "a&lt;b"


def test_escape_leaves_clean_text_as_is() -> None:
    text = "Plain text, with ünïcode and 'single quotes'"
    assert escape(text) is text


def test_escape_of_none_and_numbers() -> None:
    assert escape(None) == ""
    assert escape(2024) == "2024"


@pytest.mark.parametrize("text", ["a&b", '"q"', "<>", "x\x01y", "tab\there", "\ud83d"])
def test_escaped_text_parses_back_without_the_forbidden_characters(text: str) -> None:
    element = etree.fromstring(f'<e a="{escape(text)}">{escape(text)}</e>')
    assert (element.text or "") == xml_text(text)
    assert element.get("a") == xml_text(text).replace("\t", " ")
