"""factory_boy factories for the portal's models."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from catalogue.models import DataFile, Dataset, Instrument, Proposal, Technique, Thumbnail
from publishing.models import Publication


class InstrumentFactory(DjangoModelFactory[Instrument]):
    class Meta:
        model = Instrument
        django_get_or_create = ("pid",)

    pid = factory.Sequence(lambda n: f"instr-{n}")
    unique_name = factory.Sequence(lambda n: f"P{n:02d}")
    name = factory.LazyAttribute(lambda o: f"{o.unique_name} beamline")
    facility = "PETRA III"


class ProposalFactory(DjangoModelFactory[Proposal]):
    class Meta:
        model = Proposal
        django_get_or_create = ("proposal_id",)

    proposal_id = factory.Sequence(lambda n: f"{11000000 + n}")
    title = factory.Sequence(lambda n: f"Beamtime proposal {n}")
    pi_name = "Noether, Emmy"


class TechniqueFactory(DjangoModelFactory[Technique]):
    class Meta:
        model = Technique
        django_get_or_create = ("pid",)

    pid = factory.Sequence(lambda n: f"panet{n:05d}")
    name = factory.Sequence(lambda n: f"technique {n}")


class DatasetFactory(DjangoModelFactory[Dataset]):
    class Meta:
        model = Dataset

    pid = factory.Sequence(lambda n: f"20.500.12269/test-{n:06d}")
    title = factory.Sequence(lambda n: f"Reflectivity of sample {n}")
    description = "Synthetic test dataset."
    type = "raw"
    start_time = factory.Sequence(
        lambda n: dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n)
    )
    creation_time = factory.LazyAttribute(lambda o: o.start_time)
    size = factory.Sequence(lambda n: 1024 * (n + 1))
    number_of_files = 0
    keywords = factory.LazyFunction(lambda: ["reflectivity"])
    license = "CC-BY-4.0"
    run_number = factory.Sequence(lambda n: str(400000 + n))
    source_folder = factory.Sequence(lambda n: f"/data/2024/raw/{n}")
    instrument = factory.SubFactory(InstrumentFactory)
    proposal = factory.SubFactory(ProposalFactory)
    data_location = "disk"


class DataFileFactory(DjangoModelFactory[DataFile]):
    class Meta:
        model = DataFile

    dataset = factory.SubFactory(DatasetFactory)
    path = factory.Sequence(lambda n: f"scan_{n:05d}.h5")
    size = 2048
    checksum = factory.Sequence(lambda n: f"{n:064x}")
    checksum_algorithm = "sha256"


class ThumbnailFactory(DjangoModelFactory[Thumbnail]):
    """A thumbnail row; ``image`` names a file that need not exist (pages only link to it)."""

    class Meta:
        model = Thumbnail

    dataset = factory.SubFactory(DatasetFactory)
    source_id = factory.Sequence(lambda n: f"attachment-{n}")
    caption = ""
    image = factory.Sequence(lambda n: f"thumbnails/{n:04d}.png")
    content_digest = factory.Sequence(lambda n: f"{n:064x}")


class PublicationFactory(DjangoModelFactory[Publication]):
    class Meta:
        model = Publication

    doi = factory.Sequence(lambda n: f"10.5072/test-{n:04d}")
    title = factory.Sequence(lambda n: f"Published data {n}")
    abstract = "A publication of synthetic datasets."
    creators = factory.LazyFunction(
        lambda: [{"name": "Franklin, Rosalind", "nameType": "Personal"}]
    )
    publisher = "Photon Science Facility"
    publication_year = 2025
    resource_type = "Dataset"
    registered_at = factory.LazyFunction(lambda: dt.datetime(2025, 2, 3, tzinfo=dt.UTC))
