"""The arguments of an OAI-PMH request, checked as the protocol demands (section 3.1 and 4).

:func:`parse` turns the raw query (every value of every key, from the URL or a POST body) into a
:class:`Request`, or raises :class:`~oai.errors.OaiError`: ``badVerb`` for a missing, unknown or
repeated ``verb``; ``badArgument`` for an argument the verb does not take, a missing required
one, a repeated or empty one, a ``resumptionToken`` with anything else, a malformed date, ``from``
and ``until`` of different granularity or ``from`` after ``until``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from oai.errors import BAD_ARGUMENT, BAD_VERB, OaiError

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@dataclass(frozen=True, slots=True)
class Verb:
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    exclusive: str | None = None  # the one argument that may replace all others


_LIST = Verb(
    required=frozenset({"metadataPrefix"}),
    optional=frozenset({"from", "until", "set"}),
    exclusive="resumptionToken",
)
VERBS: dict[str, Verb] = {
    "Identify": Verb(),
    "ListMetadataFormats": Verb(optional=frozenset({"identifier"})),
    "ListSets": Verb(exclusive="resumptionToken"),
    "GetRecord": Verb(required=frozenset({"identifier", "metadataPrefix"})),
    "ListIdentifiers": _LIST,
    "ListRecords": _LIST,
}


@dataclass(frozen=True, slots=True)
class Request:
    verb: str
    arguments: dict[str, str] = field(default_factory=dict)
    from_: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive: the end of the given day or second

    def get(self, name: str) -> str | None:
        return self.arguments.get(name)


def parse_datestamp(value: str) -> tuple[datetime, timedelta] | None:
    """A UTC datestamp of day or second granularity and that granularity; None if malformed."""
    try:
        if _DAY.match(value):
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC), timedelta(days=1)
        if _SECOND.match(value):
            moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            return moment, timedelta(seconds=1)
    except ValueError:
        return None
    return None


def parse(query: Mapping[str, Sequence[str]]) -> Request:
    verbs = list(query.get("verb", []))
    if len(verbs) != 1:
        reason = "The verb argument is missing." if not verbs else "The verb argument is repeated."
        raise OaiError(BAD_VERB, reason)
    name = verbs[0]
    verb = VERBS.get(name)
    if verb is None:
        raise OaiError(BAD_VERB, f"{name!r} is not an OAI-PMH verb.")
    arguments: dict[str, str] = {}
    for key, values in query.items():
        if key == "verb":
            continue
        allowed = verb.required | verb.optional | ({verb.exclusive} if verb.exclusive else set())
        if key not in allowed:
            raise OaiError(BAD_ARGUMENT, f"{name} does not take the argument {key!r}.")
        if len(values) != 1:
            raise OaiError(BAD_ARGUMENT, f"The argument {key!r} is repeated.")
        if not values[0]:
            raise OaiError(BAD_ARGUMENT, f"The argument {key!r} is empty.")
        arguments[key] = values[0]
    if verb.exclusive and verb.exclusive in arguments:
        if len(arguments) > 1:
            raise OaiError(
                BAD_ARGUMENT, f"{verb.exclusive} is an exclusive argument: give nothing else."
            )
        return Request(name, arguments)
    missing = sorted(verb.required - arguments.keys())
    if missing:
        raise OaiError(BAD_ARGUMENT, f"{name} requires {', '.join(missing)}.")
    bounds: dict[str, tuple[datetime, timedelta]] = {}
    for key in ("from", "until"):
        if key in arguments:
            parsed = parse_datestamp(arguments[key])
            if parsed is None:
                raise OaiError(
                    BAD_ARGUMENT,
                    f"{key}: expected YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, got {arguments[key]!r}.",
                )
            bounds[key] = parsed
    from_ = bounds["from"][0] if "from" in bounds else None
    until = None
    if "until" in bounds:
        moment, granularity = bounds["until"]
        # The end of the given day or second; the end of time needs no bound.
        until = (
            moment + granularity
            if moment < datetime.max.replace(tzinfo=UTC) - granularity
            else None
        )
    if "from" in bounds and "until" in bounds:
        if bounds["from"][1] != bounds["until"][1]:
            raise OaiError(BAD_ARGUMENT, "from and until must have the same granularity.")
        if bounds["from"][0] > bounds["until"][0]:
            raise OaiError(BAD_ARGUMENT, "from must not be later than until.")
    return Request(name, arguments, from_, until)
