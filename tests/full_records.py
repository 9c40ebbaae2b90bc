"""Records with everything the output formats write, for the tests of publishing/formats and
of the landing pages (their conftests make fixtures of them).

:func:`make_publication` makes a public DOI publication of two public datasets (three files each,
PaNET techniques, scientific parameters with units) with creators that have ORCID iDs and ROR
affiliations, an organisation as creator, contributors in three roles (one with ORCID iD and ROR
affiliation, an editor, an organisation), geo locations (a named point and a box), a licence,
funding and related identifiers, and a title full of characters BibTeX, XML and HTML treat
specially.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from catalogue.models import ScientificParameter
from publishing.models import Publication
from tests.factories import (
    DataFileFactory,
    DatasetFactory,
    PublicationFactory,
    TechniqueFactory,
)

TRICKY_TITLE = "Strain & {stress} in Bi_2Se_3: 100% of Müller's ~data$ #1 \\ ^ </script> <b>"
DOWNLOAD_PATTERN = "https://data.example.org/pub/{pid}/{path}"
CREATORS: list[dict[str, Any]] = [
    {
        "name": "Franklin, Rosalind",
        "nameType": "Personal",
        "givenName": "Rosalind",
        "familyName": "Franklin",
        "nameIdentifiers": [
            {"nameIdentifier": "0000-0002-1825-0097", "nameIdentifierScheme": "ORCID"}
        ],
        "affiliation": [
            {
                "name": "Deutsches Elektronen-Synchrotron DESY",
                "affiliationIdentifier": "https://ror.org/01js2sh04",
                "affiliationIdentifierScheme": "ROR",
            }
        ],
    },
    {"name": "Ørsted, Hans Christian", "nameType": "Personal"},
    {"name": "Beamline P08 team and friends", "nameType": "Organizational"},
]

CONTRIBUTORS: list[dict[str, Any]] = [
    {
        "name": "Carberry, Josiah",
        "nameType": "Personal",
        "givenName": "Josiah",
        "familyName": "Carberry",
        "contributorType": "ContactPerson",
        "nameIdentifiers": [
            {
                "nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
                "nameIdentifierScheme": "ORCID",
            }
        ],
        "affiliation": [
            {
                "name": "Brown University",
                "affiliationIdentifier": "https://ror.org/05gq02987",
                "affiliationIdentifierScheme": "ROR",
            }
        ],
    },
    {
        "name": "Meitner, Lise",
        "nameType": "Personal",
        "givenName": "Lise",
        "familyName": "Meitner",
        "contributorType": "Editor",
    },
    {
        "name": "Sample Preparation Lab",
        "nameType": "Organizational",
        "contributorType": "DataCollector",
    },
]
GEO_LOCATIONS: list[dict[str, Any]] = [
    {
        "geoLocationPlace": "Hamburg, Germany",
        "geoLocationPoint": {"pointLatitude": 53.5754, "pointLongitude": 9.8803},
    },
    {
        "geoLocationBox": {
            "westBoundLongitude": -10.5,
            "eastBoundLongitude": 30,
            "southBoundLatitude": 35,
            "northBoundLatitude": 71.2,
        }
    },
]


def make_publication(*, files: int = 3, datasets: int = 2, **fields: Any) -> Publication:
    technique = TechniqueFactory.create(pid="PaNET01253", name="X-ray reflectivity")
    members = []
    for n in range(datasets):
        dataset = DatasetFactory.create(
            number_of_files=files,
            start_time=dt.datetime(2024, 10, 10, 8, tzinfo=dt.UTC) + dt.timedelta(days=n),
            end_time=dt.datetime(2024, 10, 10, 20, tzinfo=dt.UTC) + dt.timedelta(days=n),
            data_format="NeXus",
        )
        dataset.techniques.add(technique)
        for i in range(files):
            DataFileFactory.create(dataset=dataset, path=f"raw/scan_{i:03d}.h5", size=1000 + i)
        ScientificParameter.objects.create(
            dataset=dataset, key_path="sample.temperature", original_value="295", unit="K"
        )
        ScientificParameter.objects.create(
            dataset=dataset, key_path="beam.energy", original_value="18", unit="keV"
        )
        members.append(dataset)
    values: dict[str, Any] = {
        "doi": "10.5072/landing-formats-0001",
        "title": TRICKY_TITLE,
        "abstract": "Reflectivity curves of a lipid monolayer. Write to owner@facility.example.",
        "creators": CREATORS,
        "contributors": CONTRIBUTORS,
        "geo_locations": GEO_LOCATIONS,
        "subjects": [{"subject": "X-ray reflectivity"}, {"subject": "lipids"}],
        "rights": [
            {
                "rights": "Creative Commons Attribution 4.0 International",
                "rightsUri": "https://creativecommons.org/licenses/by/4.0/",
                "rightsIdentifier": "CC-BY-4.0",
            }
        ],
        "related_identifiers": [
            {
                "relatedIdentifier": "10.1000/article.1",
                "relatedIdentifierType": "DOI",
                "relationType": "IsSupplementTo",
            }
        ],
        "funding_references": [
            {
                "funderName": "European Commission",
                "funderIdentifier": "https://doi.org/10.13039/501100000780",
                "funderIdentifierType": "Crossref Funder ID",
                "awardNumber": "101004728",
            }
        ],
        **fields,
    }
    publication = PublicationFactory.create(**values)
    publication.datasets.set(members)
    return publication


def use_downloads(settings: Any) -> str:
    """Configure the download URL pattern the file links are made from."""
    settings.PORTAL_DOWNLOAD_URL = DOWNLOAD_PATTERN
    return DOWNLOAD_PATTERN
