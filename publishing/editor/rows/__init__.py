"""One plain form per DataCite list entry (a row), and the way between a row and DataCite JSON.

Each row form types its fields (an ORCID iD with its ISO 7064 check digit, a ROR id, a DOI, URL or
Handle of a related work, an SPDX licence id, an ISO 8601 date, coordinates in degrees) and
reports a mistake next to the field. ``from_datacite`` turns a stored entry into a row's initial
data; ``to_datacite`` turns a cleaned row back into the entry. Keys a row does not show (a
schemeUri, a language, a third affiliation, an identifier of another scheme, a polygon) ride
along in a hidden ``extra`` field, so editing never loses them.

- :mod:`.base`: the row form every row is, and the checks several share.
- :mod:`.people`: creators and contributors, one person row for both.
- :mod:`.works`: other titles, subjects, rights, dates, related works, funding.
- :mod:`.places`: geo locations.
"""

from __future__ import annotations

from publishing.editor.rows.base import RowForm
from publishing.editor.rows.people import ContributorRow, CreatorRow, PersonRow
from publishing.editor.rows.places import GeoLocationRow
from publishing.editor.rows.works import (
    DateRow,
    FundingRow,
    RelatedRow,
    RightsRow,
    SubjectRow,
    TitleRow,
)

__all__ = [
    "ROW_FORMS",
    "ContributorRow",
    "CreatorRow",
    "DateRow",
    "FundingRow",
    "GeoLocationRow",
    "PersonRow",
    "RelatedRow",
    "RightsRow",
    "RowForm",
    "SubjectRow",
    "TitleRow",
]

ROW_FORMS: dict[str, type[RowForm]] = {
    row.datacite_field: row
    for row in (
        CreatorRow,
        ContributorRow,
        TitleRow,
        SubjectRow,
        RightsRow,
        DateRow,
        RelatedRow,
        FundingRow,
        GeoLocationRow,
    )
}
