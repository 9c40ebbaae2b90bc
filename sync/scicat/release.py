"""Which SciCat release and dialect the portal reads, and the routes that follow from them.

The portal reads a SciCat backend of release 4.x (4.17 is what facilities run) or 5.x. Which one
is asked once per run (:meth:`Release.backend`; ``SCICAT_BACKEND_VERSION`` skips the question)
and decides the endpoints. Two dialects, chosen by ``SCICAT_API_VERSION``, each with or without
an account (``SCICAT_USERNAME``/``SCICAT_PASSWORD`` or ``SCICAT_TOKEN``):

``v3`` (an account)
    ``GET /api/v3/datasets``; the account sees unpublished records too, so the sync asks for
    ``isPublished`` itself.
``v4`` anonymous / with an account
    ``GET /api/v4/datasets/public`` (published records only) or ``GET /api/v4/datasets`` with an
    ``isPublished`` condition. Neither release casts a date given as text in a v4 list's
    ``where`` (it runs as an aggregation pipeline; SciCat casts them itself only since backend
    PR #2346): :meth:`Release.dates_filterable` finds that out once per run and the sync then
    compares listings instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sync.scicat import filters
from sync.scicat.client import CatalogueRefused, Client, Raw, UnsupportedCatalogue

logger = logging.getLogger(__name__)

SUPPORTED_MAJORS = (4, 5)


@dataclass(frozen=True)
class Backend:
    """The SciCat release line of the catalogue, and how the portal knows it."""

    major: int
    how: str  # "asked" or "configured"

    def __str__(self) -> str:
        return f"SciCat {self.major}.x ({self.how})"


class Release(Client):
    """A client that knows the backend's release line and speaks its dialect."""

    _backend: Backend | None = None
    _dates_filterable: bool | None = None

    def backend(self) -> Backend:
        """The backend's release line, asked once per run (or as configured).

        SciCat announces no release number, so the portal asks for routes that tell the lines
        apart: ``/api/v4/datasets/public`` (4.x and 5.x) and ``/api/v4/publisheddata`` (5.x
        only). Anything else is not a release the portal knows, and the run stops saying so.
        """
        if self._backend is None:
            if self.config.backend in {"4", "5"}:
                self._backend = Backend(int(self.config.backend), "configured")
            else:
                self._backend = Backend(self._ask_major(), "asked")
            logger.info("catalogue %s is %s", self.config.url, self._backend)
        return self._backend

    def _ask_major(self) -> int:
        def exists(path: str, filter_: dict[str, Any]) -> bool:
            try:
                self._call(
                    "GET", path, params={"filter": filters.dumps(filter_)}, authenticated=False
                )
            except CatalogueRefused as exc:
                if exc.status == 404:
                    return False
                if exc.status in {401, 403}:
                    return True  # there, but not for anonymous callers
                raise
            return True

        one = {"limits": {"limit": 1}}
        if not exists("/api/v4/datasets/public", {**one, "fields": ["pid"]}):
            raise UnsupportedCatalogue(
                f"{self.config.url} has no /api/v4/datasets/public: not a SciCat backend of a "
                f"release the portal reads ({', '.join(f'{m}.x' for m in SUPPORTED_MAJORS)}). "
                "Check SCICAT_URL, or set SCICAT_BACKEND_VERSION if the routes are renamed."
            )
        return 5 if exists("/api/v4/publisheddata", one) else 4

    # -- the dialects -----------------------------------------------------------------------

    @property
    def _datasets_path(self) -> str:
        if self.v3:
            return "/api/v3/datasets"
        return "/api/v4/datasets" if self.account else "/api/v4/datasets/public"

    @property
    def _published_data_path(self) -> str:
        if not self.v3 and self.backend().major >= 5:
            return "/api/v4/publisheddata"
        return "/api/v3/publisheddata"  # 4.x has no v4 route for published data

    def _published(self, published: bool | None) -> dict[str, Any]:
        # v4's public endpoint adds isPublished itself and sees nothing else.
        if published is None or (not self.v3 and not self.account):
            return {}
        return {"isPublished": published}

    def dates_filterable(self) -> bool:
        """Whether the catalogue lists datasets by a date given as ISO text (asked once).

        v3: always (Mongoose casts). v4 answers lists with a MongoDB aggregation pipeline, which
        casts nothing: SciCat casts date-like strings in ``where`` to dates itself only since
        SciCatProject/backend PR #2346 (neither 4.17.1 nor 5.2.1 does). Before that,
        ``updatedAt >= <text>`` matches no record at all, so paging by ``updatedAt`` would
        silently read nothing; the sync then compares the full listing instead (see
        ``sync.live``). Asked with one record: any public record at all, but none updated since
        1970, means the dates are not cast.
        """
        if self.v3:
            return True
        if self._dates_filterable is None:
            path = self._datasets_path

            def first(where: dict[str, Any]) -> list[Raw]:
                return self._list(
                    path,
                    {
                        "where": {**self._published(True), **where},
                        "fields": ["pid"],
                        "limits": filters.limits(path, limit=1, order=("pid",)),
                    },
                )

            since_1970 = {"updatedAt": {"$gte": filters.iso(datetime(1970, 1, 1, tzinfo=UTC))}}
            self._dates_filterable = bool(first(since_1970)) or not first({})
            if not self._dates_filterable:
                logger.warning(
                    "the catalogue's v4 API does not filter datasets by a date given as text "
                    "(SciCat before backend PR #2346): listing every record instead"
                )
        return self._dates_filterable
