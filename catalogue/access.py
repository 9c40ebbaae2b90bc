"""How a visitor gets a dataset's files: the one wording of every page, facet and API.

A dataset's files are on disk at the facility, in its tape archive, partly on both, unavailable
(as the storage system answers, tape/locality.py), or somewhere it did not say
(:class:`catalogue.models.DataLocation`); the portal links downloads only when
``PORTAL_DOWNLOAD_URL`` is set, and a record may have no files at all. :func:`data_access`
turns those three facts into what the "Get the data" box says, so that no state is described
twice (or, as before, contradicted: "the download links work right away" beside "this portal
does not offer the files"). The search facet's labels (:data:`LOCATION_LABELS`) and the JSON
manifest's ``dataLocation`` use the same stored value.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.models import DataLocation

# What the search facet and the landing pages call each stored location.
LOCATION_LABELS = {
    DataLocation.DISK.value: _("Online (on disk)"),
    DataLocation.PARTIAL.value: _("Partly on disk"),
    DataLocation.TAPE.value: _("Archived on tape"),
    DataLocation.UNAVAILABLE.value: _("Unavailable"),
    DataLocation.UNKNOWN.value: _("Location not stated"),
}

_STAGING = _(
    "A download first asks the storage to bring the files back to disk (staging), which can "
    "take from minutes to a day or more for large datasets; a download tool that retries "
    "(aria2c, wget --tries) simply waits."
)


@dataclass(frozen=True)
class DataAccess:
    """What the "Get the data" box says about one dataset (or a group of them)."""

    # "no-files", "online", "partial", "tape", "unavailable" or "unknown": the box's CSS class
    key: str
    location: str  # the stored DataLocation value
    label: str
    explanation: str
    downloads: bool  # each file links to its download and "Download all" lists are offered
    ask: bool  # the visitor has to ask the facility (no links, or staging of a whole dataset)
    contact_url: str  # PORTAL_DATA_CONTACT: where to ask, "" when not configured


def data_access(*, data_location: str, file_count: int, downloads_enabled: bool) -> DataAccess:
    """The access state of files at ``data_location`` (``file_count`` of them), with download
    links (``PORTAL_DOWNLOAD_URL``) or without."""
    contact = str(settings.PORTAL_DATA_CONTACT or "")
    location = data_location if data_location in LOCATION_LABELS else DataLocation.UNKNOWN.value
    if file_count <= 0:
        return DataAccess(
            "no-files",
            location,
            gettext("No files"),
            gettext("This record lists no data files, so there is nothing to download."),
            downloads=False,
            ask=False,
            contact_url="",
        )
    if location == DataLocation.DISK:
        key = "online"
        if downloads_enabled:
            text = gettext(
                "The files are on disk at the facility: each file below links to its "
                "download, and the lists under “Download all” fetch them all."
            )
        else:
            text = gettext(
                "The files are on disk at the facility. This portal does not link them for "
                "download: ask the facility's data management team for access."
            )
    elif location == DataLocation.TAPE:
        key = "tape"
        if downloads_enabled:
            text = gettext("The files are kept in the tape archive.") + " " + str(_STAGING)
            text += " " + gettext("For whole datasets, ask the data management team to stage them.")
        else:
            text = gettext(
                "The files are kept in the facility's tape archive and must be brought back to "
                "disk (staging) before anyone can read them. This portal does not link them "
                "for download: ask the facility's data management team to stage them and give "
                "you access."
            )
    elif location == DataLocation.PARTIAL:
        key = "partial"
        text = gettext(
            "Some of the files are on disk at the facility; the others are kept in the tape "
            "archive and have to be brought back to disk (staged) first."
        )
        if downloads_enabled:
            text += " " + str(_STAGING)
    elif location == DataLocation.UNAVAILABLE:
        key = "unavailable"
        text = gettext(
            "The storage system cannot deliver the files at the moment: as far as it knows "
            "they are neither on disk nor on tape. Ask the facility's data management team."
        )
    else:
        key = "unknown"
        if downloads_enabled:
            text = gettext(
                "The facility has not said whether the files are on disk or on tape: a "
                "download may have to wait while they are staged."
            )
        else:
            text = gettext(
                "The facility has not said whether the files are on disk or on tape, and this "
                "portal does not link them for download: ask the facility's data management "
                "team for access."
            )
    return DataAccess(
        key,
        location,
        str(LOCATION_LABELS[location]),
        text,
        downloads=downloads_enabled,
        ask=not downloads_enabled
        or location in (DataLocation.TAPE, DataLocation.PARTIAL, DataLocation.UNAVAILABLE),
        contact_url=contact,
    )
