"""The protocol's error conditions (OAI-PMH 2.0, section 3.6)."""

from __future__ import annotations

BAD_ARGUMENT = "badArgument"
BAD_RESUMPTION_TOKEN = "badResumptionToken"  # noqa: S105 (an error code)
BAD_VERB = "badVerb"
CANNOT_DISSEMINATE_FORMAT = "cannotDisseminateFormat"
ID_DOES_NOT_EXIST = "idDoesNotExist"
NO_RECORDS_MATCH = "noRecordsMatch"
NO_METADATA_FORMATS = "noMetadataFormats"
NO_SET_HIERARCHY = "noSetHierarchy"


class OaiError(Exception):
    """One or more protocol errors, each a code and a message for people."""

    def __init__(self, code: str, message: str, *more: tuple[str, str]) -> None:
        super().__init__(message)
        self.errors: list[tuple[str, str]] = [(code, message), *more]

    @property
    def code(self) -> str:
        return self.errors[0][0]

    @property
    def echo_arguments(self) -> bool:
        """Whether the response's ``request`` element may repeat the arguments (3.2)."""
        return all(code not in (BAD_VERB, BAD_ARGUMENT) for code, _ in self.errors)
