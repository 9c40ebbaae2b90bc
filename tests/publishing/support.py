"""Shared by the publishing tests: the stand-in's account, and portal-made publications."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from publishing.models import DoiState, Publication
from tests.factories import DatasetFactory

USERNAME = "psf.portal"
PASSWORD = "stand-in-password"
PREFIX = "10.99999"
BASE_URL = "https://portal.example"


class DraftPublicationFactory(DjangoModelFactory[Publication]):
    """A publication made in the portal, not yet registered, with one public dataset."""

    class Meta:
        model = Publication
        skip_postgeneration_save = True

    doi_state = DoiState.DRAFT
    title = factory.Sequence(lambda n: f"Portal publication {n}")
    abstract = "A publication of synthetic datasets."
    publisher = "Photon Science Facility"
    publication_year = 2025
    resource_type = "Dataset"
    creators = factory.LazyFunction(
        lambda: [
            {
                "name": "Franklin, Rosalind",
                "nameType": "Personal",
                "givenName": "Rosalind",
                "familyName": "Franklin",
                "nameIdentifiers": [
                    {
                        "nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
                        "nameIdentifierScheme": "ORCID",
                    }
                ],
                "affiliation": [
                    {
                        "name": "Photon Science Facility",
                        "affiliationIdentifier": "https://ror.org/01js2sh04",
                        "affiliationIdentifierScheme": "ROR",
                    }
                ],
            }
        ]
    )

    rights = factory.LazyFunction(
        lambda: [
            {
                "rights": "Creative Commons Attribution 4.0 International",
                "rightsUri": "https://spdx.org/licenses/CC-BY-4.0.html",
                "rightsIdentifier": "CC-BY-4.0",
                "rightsIdentifierScheme": "SPDX",
                "schemeUri": "https://spdx.org/licenses/",
            }
        ]
    )

    @factory.post_generation
    def with_datasets(obj: Publication, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.datasets.add(*(extracted if extracted is not None else [DatasetFactory.create()]))
