"""The search box's query language, parsed once into a small tree both backends compile.

    dppg monolayer                 both words (AND is implied)
    "pseudo reflectivity"          a phrase
    gixos OR xrr, NOT tape, -tape  either word; without a word
    (gixos OR xrr) AND lipid       grouping
    title:dppg  keyword:"lipid"    a field: title keyword instrument proposal technique doi pid
    dppg*                          words starting with dppg
    10.5072/desy-pd-0001 11019634  identifiers (PID, DOI, proposal, run number) match unquoted

Only upper-case AND / OR / NOT are operators; lower-case ones are words. Anything a visitor can
type either parses or raises :class:`QueryError` with a message saying what to change.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext

from catalogue.search.base import MAX_QUERY_LENGTH, QueryError

# Field name in the query -> what it searches (the backends map these to their own fields).
FIELDS: dict[str, str] = {
    "title": "the dataset's name",
    "keyword": "its keywords",
    "instrument": "the instrument (beamline), e.g. P08",
    "proposal": "the proposal id",
    "technique": "a technique's name or PaNET id",
    "doi": "the DOI of a publication holding it",
    "pid": "the dataset's PID",
}
_FIELD_ALIASES = {"keywords": "keyword", "techniques": "technique", "beamline": "instrument"}
MAX_TERMS = 32
MIN_PREFIX = 2

# A word holds at least one letter or digit; pure punctuation ("//", "--") says nothing.
_WORDY = re.compile(r"\w", re.UNICODE)
_FIELD = re.compile(r"^([A-Za-z_]+):(.*)$", re.DOTALL)
_SPECIAL = '()"'


@dataclass(frozen=True)
class Term:
    """A word, an identifier, or a word prefix (``prefix``); ``field`` narrows where it matches."""

    text: str
    field: str = ""
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str = ""


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Term | Phrase | And | Or | Not


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "phrase", "(", ")", "AND", "OR", "NOT", "-"
    text: str
    position: int  # 1-based, for messages
    field: str = ""


def _clean(text: str) -> str:
    # Control characters and the like become spaces; the rest is kept as typed.
    return "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)


def _field_of(name: str, position: int) -> str:
    lowered = name.lower()
    lowered = _FIELD_ALIASES.get(lowered, lowered)
    if lowered not in FIELDS:
        known = ", ".join(f"{f}:" for f in FIELDS)
        raise QueryError(
            gettext(
                "Unknown field “%(name)s:” at position %(position)d. Search one of %(known)s "
                'or put the text in quotes ("%(name)s:…") to search for it as written.'
            )
            % {"name": name, "position": position, "known": known}
        )
    return lowered


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(text)
    pending_field = ""  # "title:" seen, its value not yet
    field_position = 0
    while i < n:
        ch = text[i]
        if ch.isspace():
            if pending_field:
                raise QueryError(
                    gettext(
                        "“%(field)s:” at position %(position)d needs a value right after the "
                        'colon, e.g. %(field)s:dppg or %(field)s:"two words".'
                    )
                    % {"field": pending_field, "position": field_position}
                )
            i += 1
            continue
        if ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError(
                    gettext(
                        'The quote at position %(position)d is never closed; add a closing " or '
                        "remove it."
                    )
                    % {"position": i + 1}
                )
            phrase = text[i + 1 : end].strip()
            if _WORDY.search(phrase):
                out.append(_Token("phrase", phrase, i + 1, pending_field))
            elif pending_field:
                raise QueryError(
                    gettext("“%(field)s:” at position %(position)d has no value.")
                    % {"field": pending_field, "position": field_position}
                )
            pending_field = ""
            i = end + 1
            continue
        if ch in "()":
            if pending_field:
                raise QueryError(
                    gettext(
                        "“%(field)s:” at position %(position)d takes one word or a quoted "
                        "phrase, not a group in parentheses."
                    )
                    % {"field": pending_field, "position": field_position}
                )
            out.append(_Token(ch, ch, i + 1))
            i += 1
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] not in _SPECIAL:
            i += 1
        word = text[start:i]
        if pending_field:
            out.append(_Token("word", word, start + 1, pending_field))
            pending_field = ""
            continue
        if word in ("AND", "OR", "NOT"):
            out.append(_Token(word, word, start + 1))
            continue
        if word.startswith("-") and len(word) > 1 and (word[1] not in "-" or _WORDY.search(word)):
            out.append(_Token("-", "-", start + 1))
            word, start = word[1:], start + 1
            if not word:
                continue
        elif word.startswith("+") and len(word) > 1:
            word, start = word[1:], start + 1
        match = _FIELD.match(word)
        if match and not match.group(2).startswith("/"):
            field = _field_of(match.group(1), start + 1)
            value = match.group(2)
            if value:
                out.append(_Token("word", value, start + 1, field))
            elif i < n and text[i] in "(":
                raise QueryError(
                    gettext(
                        "“%(field)s:” at position %(position)d takes one word or a quoted "
                        "phrase, not a group in parentheses."
                    )
                    % {"field": match.group(1), "position": start + 1}
                )
            elif i < n and text[i] == '"':
                pending_field, field_position = field, start + 1
            else:
                raise QueryError(
                    gettext(
                        "“%(typed)s:” at position %(position)d needs a value right after the "
                        'colon, e.g. %(field)s:dppg or %(field)s:"two words".'
                    )
                    % {"typed": match.group(1), "position": start + 1, "field": field}
                )
            continue
        out.append(_Token("word", word, start + 1))
    return out


def _leaf(token: _Token) -> Node | None:
    if token.kind == "phrase":
        words = token.text.split()
        if len(words) == 1:
            return _leaf(_Token("word", words[0], token.position, token.field))
        return Phrase(" ".join(words), token.field)
    word = token.text
    prefix = False
    if word.endswith("*"):
        word = word.rstrip("*")
        prefix = True
    if "*" in word:
        raise QueryError(
            gettext(
                "“%(word)s” at position %(position)d: a * may only end a word "
                "(dppg* finds words starting with dppg)."
            )
            % {"word": token.text, "position": token.position}
        )
    if not _WORDY.search(word):
        if prefix:
            raise _short_prefix(token)
        return None  # punctuation only, such as // or --: nothing to look for
    if prefix and len(word) < MIN_PREFIX:
        raise _short_prefix(token)
    return Term(word, token.field, prefix)


def _short_prefix(token: _Token) -> QueryError:
    return QueryError(
        gettext(
            "“%(word)s” at position %(position)d: put at least %(count)d letters before the * "
            "(dppg*)."
        )
        % {"word": token.text, "position": token.position, "count": MIN_PREFIX}
    )


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.at = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def parse(self) -> Node | None:
        node = self.or_expr()
        token = self.peek()
        if token is not None:  # only a stray ")" stops or_expr early
            raise QueryError(
                gettext(
                    "The “)” at position %(position)d closes no “(”; remove it or add a “(” "
                    "before it."
                )
                % {"position": token.position}
            )
        return node

    def or_expr(self) -> Node | None:
        parts = [self.and_expr()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            if self.peek() is None or self.peek().kind in (")", "OR", "AND"):  # type: ignore[union-attr]
                raise QueryError(
                    gettext("OR at position %(position)d needs something to search on both sides.")
                    % {"position": token.position}
                )
            parts.append(self.and_expr())
        kept = tuple(p for p in parts if p is not None)
        if len(parts) > 1 and parts[0] is None:
            raise QueryError(gettext("OR needs something to search on both sides."))
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(kept)

    def and_expr(self) -> Node | None:
        parts: list[Node] = []
        first = True
        while (token := self.peek()) is not None and token.kind not in (")", "OR"):
            if token.kind == "AND":
                self.take()
                following = self.peek()
                if first or following is None or following.kind in (")", "OR", "AND"):
                    raise QueryError(
                        gettext(
                            "AND at position %(position)d needs something to search on both sides."
                        )
                        % {"position": token.position}
                    )
                continue
            first = False
            node = self.unary()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node | None:
        token = self.take()
        if token.kind in ("NOT", "-"):
            following = self.peek()
            if following is None or following.kind in (")", "OR", "AND"):
                word = "NOT" if token.kind == "NOT" else "-"
                raise QueryError(
                    gettext("%(word)s at position %(position)d needs a word after it (NOT tape).")
                    % {"word": word, "position": token.position}
                )
            child = self.unary()
            return Not(child) if child is not None else None
        if token.kind == "(":
            self.depth += 1
            if self.depth > 8:
                raise QueryError(gettext("Too many nested parentheses; 8 levels at most."))
            node = self.or_expr()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise QueryError(
                    gettext("The “(” at position %(position)d is never closed; add a “)”.")
                    % {"position": token.position}
                )
            self.take()
            self.depth -= 1
            return node
        if token.kind == ")":  # pragma: no cover - and_expr stops before ")"
            raise QueryError(
                gettext("The “)” at position %(position)d closes no “(”.")
                % {"position": token.position}
            )
        return _leaf(token)


def _terms(node: Node) -> int:
    if isinstance(node, Term | Phrase):
        return 1
    if isinstance(node, Not):
        return _terms(node.child)
    return sum(_terms(child) for child in node.children)


def _only_negative(node: Node) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(_only_negative(child) for child in node.children)
    if isinstance(node, Or):
        return all(_only_negative(child) for child in node.children)
    return False


def parse(text: str) -> Node | None:
    """The tree of ``text``, or None when there is nothing to search for (all results)."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            gettext(
                "The search is %(length)s characters long; shorten it to at most %(most)d "
                "characters."
            )
            % {"length": number_format(len(text), force_grouping=True), "most": MAX_QUERY_LENGTH}
        )
    cleaned = _clean(text)
    if not cleaned.strip():
        return None
    node = _Parser(_tokens(cleaned)).parse()
    if node is None:
        if cleaned.strip():
            raise QueryError(
                gettext(
                    "“%(text)s” holds no letters or digits to search for; type a word, a phrase "
                    "in quotes or an identifier."
                )
                % {"text": text.strip()[:60]}
            )
        return None
    if _terms(node) > MAX_TERMS:
        raise QueryError(
            gettext("The search has more than %(count)d words; use fewer.") % {"count": MAX_TERMS}
        )
    if _only_negative(node):
        raise QueryError(
            gettext("A search cannot only exclude words; add a word to look for (dppg NOT tape).")
        )
    return node


def positive_words(node: Node | None) -> list[Term | Phrase]:
    """The terms and phrases a result should contain (for ranking and highlighting)."""
    if node is None:
        return []
    if isinstance(node, Term | Phrase):
        return [node]
    if isinstance(node, Not):
        return []
    return [leaf for child in node.children for leaf in positive_words(child)]


# A word this long that looks like an identifier also matches the PIDs it begins (or whose part
# after a "/" it begins): ``7e562979`` finds ``20.500.12269/7e562979-2cf9-...``.
PID_PREFIX_MIN = 5
_IDENTIFIER = re.compile(r"[\d/.:_]|^[A-Za-z]+-?\d")


def looks_like_identifier(text: str) -> bool:
    """Digits, dots or slashes: a PID, DOI, proposal id or run number rather than a word."""
    return bool(_IDENTIFIER.search(text))
