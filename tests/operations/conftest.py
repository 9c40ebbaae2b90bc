"""The stand-ins the log tests drive a sync and a DOI registration through."""

from tests.publishing.conftest import datacite_server, standin
from tests.sync.conftest import scicat, scicat_server

__all__ = ["datacite_server", "scicat", "scicat_server", "standin"]
