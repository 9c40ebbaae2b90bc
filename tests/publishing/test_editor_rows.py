"""The editor's row forms on their own: contributors (the person row creators share) and geo
locations, validated where they are typed and turned into DataCite JSON."""

from __future__ import annotations

import re
from typing import Any

import pytest

from publishing import kernel
from publishing.contributor_roles import ROLE_LABELS
from publishing.doi_metadata import json_field_problems
from publishing.editor.rows import ContributorRow, CreatorRow, GeoLocationRow, PersonRow


def row(form_class: type[Any], **data: Any) -> Any:
    form = form_class(data={f"r-{k}": v for k, v in data.items()}, prefix="r")
    form.is_valid()
    return form


def test_creator_and_contributor_rows_are_one_person_row() -> None:
    assert issubclass(CreatorRow, PersonRow)
    assert issubclass(ContributorRow, PersonRow)
    assert next(iter(ContributorRow().fields)) == "contributor_type"
    assert set(ContributorRow.base_fields) - set(CreatorRow.base_fields) == {"contributor_type"}


def test_every_contributor_type_of_kernel_4_7_has_a_label() -> None:
    assert set(ROLE_LABELS) == kernel.controlled_list("contributorType")
    html = str(ContributorRow()["contributor_type"])
    offered = set(re.findall(r'<option value="(\w+)"', html))
    assert offered - {""} == kernel.controlled_list("contributorType")


def test_a_contributor_row_becomes_a_datacite_contributor() -> None:
    form = row(
        ContributorRow,
        contributor_type="DataCollector",
        name_type="Personal",
        given_name="Josiah",
        family_name="Carberry",
        orcid="0000-0002-1825-0097",
        affiliation_name="Brown University",
        affiliation_ror="05gq02987",
    )
    assert form.errors == {}
    entry = form.to_datacite()
    assert entry == {
        "contributorType": "DataCollector",
        "nameType": "Personal",
        "name": "Carberry, Josiah",
        "familyName": "Carberry",
        "givenName": "Josiah",
        "nameIdentifiers": [
            {
                "nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
                "nameIdentifierScheme": "ORCID",
                "schemeUri": "https://orcid.org",
            }
        ],
        "affiliation": [
            {
                "name": "Brown University",
                "affiliationIdentifier": "https://ror.org/05gq02987",
                "affiliationIdentifierScheme": "ROR",
                "schemeUri": "https://ror.org",
            }
        ],
    }
    assert json_field_problems("contributors", [entry]) == []
    assert ContributorRow.from_datacite(entry)["contributor_type"] == "DataCollector"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"family_name": "Carberry"}, "contributor_type", "This field is required."),
        ({"contributor_type": "Boss", "family_name": "X"}, "contributor_type", "not one of"),
        (
            {"contributor_type": "Editor", "family_name": "X", "orcid": "0000-0002-1825-0098"},
            "orcid",
            "check digit",
        ),
        (
            {"contributor_type": "Editor", "family_name": "X", "affiliation_name": "A"}
            | {"affiliation_ror": "not-a-ror"},
            "affiliation_ror",
            "Not a ROR id",
        ),
        ({"contributor_type": "Editor", "given_name": "Lise"}, "family_name", "family name"),
        (
            {"contributor_type": "HostingInstitution", "name_type": "Organizational"},
            "name",
            "needs its name",
        ),
    ],
)
def test_a_contributor_row_names_its_mistake_next_to_the_field(
    data: dict[str, str], field: str, message: str
) -> None:
    form = row(ContributorRow, **{"name_type": "Personal", **data})
    assert field in form.errors
    text = " ".join(form.errors[field])
    assert message in text or message.lower() in text.lower()


def test_a_geo_location_row_with_a_place_point_and_box() -> None:
    form = row(
        GeoLocationRow,
        place="Hamburg, Germany",
        point_latitude="53.5754",
        point_longitude="9.8803",
        west="-10.5",
        east="30",
        south="35",
        north="71.2",
    )
    assert form.errors == {}
    entry = form.to_datacite()
    assert entry == {
        "geoLocationPlace": "Hamburg, Germany",
        "geoLocationPoint": {"pointLatitude": 53.5754, "pointLongitude": 9.8803},
        "geoLocationBox": {
            "westBoundLongitude": -10.5,
            "eastBoundLongitude": 30,
            "southBoundLatitude": 35,
            "northBoundLatitude": 71.2,
        },
    }
    assert json_field_problems("geo_locations", [entry]) == []
    again = GeoLocationRow.from_datacite(entry)
    assert (again["point_latitude"], again["west"], again["place"]) == (
        53.5754,
        -10.5,
        "Hamburg, Germany",
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"point_latitude": "91", "point_longitude": "0"}, "point_latitude", "between -90 and 90"),
        ({"point_latitude": "0", "point_longitude": "-181"}, "point_longitude", "-180 and 180"),
        ({"point_latitude": "10"}, "point_longitude", "latitude and its longitude"),
        ({"west": "1", "east": "2", "south": "3"}, "north", "all four edges"),
        ({"west": "1", "east": "2", "south": "50", "north": "40"}, "south", "north of the north"),
        ({"place": "  "}, "place", "a place, a point or a box"),
        ({"point_latitude": "north", "point_longitude": "1"}, "point_latitude", "number"),
    ],
)
def test_a_geo_location_row_names_its_mistake_next_to_the_field(
    data: dict[str, str], field: str, message: str
) -> None:
    form = row(GeoLocationRow, **data)
    assert message in " ".join(form.errors.get(field, [])), form.errors


def test_a_box_may_cross_the_antimeridian() -> None:
    form = row(GeoLocationRow, west="170", east="-170", south="-20", north="-10")
    assert form.errors == {}


def test_json_of_geo_locations_is_checked_like_the_rows() -> None:
    problems = json_field_problems(
        "geo_locations",
        [
            {"geoLocationPoint": {"pointLatitude": 95, "pointLongitude": 0}},
            {
                "geoLocationBox": {
                    "westBoundLongitude": 0,
                    "eastBoundLongitude": 1,
                    "southBoundLatitude": 10,
                    "northBoundLatitude": 5,
                }
            },
            {},
        ],
    )
    text = [str(p) for p in problems]
    assert any("geoLocations[0].geoLocationPoint.pointLatitude" in t for t in text), text
    assert any("south edge (10) is north of the north edge (5)" in t for t in text), text
    assert any("geoLocations[2]: a geo location needs a place" in t for t in text), text
    assert {p.field for p in problems} == {"geo_locations"}


def test_json_of_contributors_needs_a_known_role_and_a_valid_orcid() -> None:
    problems = json_field_problems(
        "contributors",
        [
            {"name": "X", "contributorType": "Boss"},
            {"name": "Y"},
            {
                "name": "Z",
                "contributorType": "Editor",
                "nameIdentifiers": [
                    {"nameIdentifier": "0000-0002-1825-0098", "nameIdentifierScheme": "ORCID"}
                ],
            },
        ],
    )
    text = " | ".join(str(p) for p in problems)
    assert "contributors[0].contributorType: 'Boss' is not one of" in text
    assert "'contributorType' is required" in text
    assert "contributors[2].nameIdentifiers[0].nameIdentifier" in text
