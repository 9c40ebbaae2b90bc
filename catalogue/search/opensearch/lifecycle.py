"""The index's life: a versioned index behind the alias, created when missing, fields added in
place, the alias swapped atomically to a rebuilt index, refreshes, and what it holds now.

Datasets live in a versioned index (``<alias>-v3-<timestamp>``) behind an alias, so a rebuild fills
a new index (:mod:`.bulk`) and swaps the alias in one atomic ``_aliases`` call: searches never see a
missing or half-filled index.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from opensearchpy.exceptions import NotFoundError

from catalogue.search.base import IndexState, SearchUnavailable
from catalogue.search.opensearch.connection import ERRORS, Connection
from catalogue.search.opensearch.mapping import (
    ADDED_FIELDS,
    ADDED_PROPERTIES,
    ADDED_SUBFIELDS,
    INDEX_VERSION,
    MAPPING,
    SETTINGS,
)

logger = logging.getLogger(__name__)


def _cluster_settings() -> dict[str, int]:
    """Shards and replicas from the settings (``OPENSEARCH_SHARDS``, ``OPENSEARCH_REPLICAS``)."""
    from django.conf import settings

    return {
        "number_of_shards": int(settings.OPENSEARCH_SHARDS),
        "number_of_replicas": int(settings.OPENSEARCH_REPLICAS),
    }


class IndexLifecycle(Connection):
    def _new_index_name(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        return f"{self.alias}-{INDEX_VERSION}-{stamp}"

    def _create(self, name: str, *, bulk: bool = False) -> None:
        settings = {**SETTINGS, **_cluster_settings()}
        if bulk:  # no refreshes, no fsync per request while filling; back on before the swap
            settings["refresh_interval"] = "-1"
            settings["translog.durability"] = "async"
        self.client.indices.create(index=name, body={"settings": settings, "mappings": MAPPING})

    def current_index(self) -> str | None:
        try:
            existing = self.client.indices.get_alias(name=self.alias)
        except NotFoundError:
            return None
        return next(iter(existing))

    def ensure_index(self) -> str:
        """Create a versioned index behind the alias if there is none; return its name."""
        try:
            current = self.current_index()
            if current is None:
                current = self._new_index_name()
                self._create(current)
                self.client.indices.put_alias(index=current, name=self.alias)
            else:
                self._add_missing_fields(current)
                self._apply_replicas(current)
        except ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc
        self._index_ready = True
        return current

    def _apply_replicas(self, index: str) -> None:
        """Give the live index the configured number of replicas (a dynamic setting)."""
        wanted = _cluster_settings()["number_of_replicas"]
        answer = self.client.indices.get_settings(index=index, name="index.number_of_replicas")
        have = answer.get(index, {}).get("settings", {}).get("index", {})
        if int(have.get("number_of_replicas", wanted)) != wanted:
            self.client.indices.put_settings(
                index=index, body={"index": {"number_of_replicas": wanted}}
            )
            logger.info("search index %s: %d replica(s) now", index, wanted)

    def _add_missing_fields(self, index: str) -> None:
        """Put the fields added since the index was made into its mapping (no reindex needed)."""
        answer = self.client.indices.get_mapping(index=index)
        properties = answer.get(index, {}).get("mappings", {}).get("properties", {})
        missing = {f: MAPPING["properties"][f] for f in ADDED_FIELDS if f not in properties}
        for name, subfield in ADDED_SUBFIELDS.items():
            if name in properties and subfield not in properties[name].get("fields", {}):
                missing[name] = MAPPING["properties"][name]
        for name, added in ADDED_PROPERTIES.items():
            have = properties.get(name, {}).get("properties", {})
            if name in properties and any(p not in have for p in added):
                missing[name] = MAPPING["properties"][name]
        if missing:
            self.client.indices.put_mapping(index=index, body={"properties": missing})
            logger.info("search index %s: fields added to the mapping: %s", index, list(missing))

    def swap(self, name: str) -> list[str]:
        """Point the alias at ``name`` in one atomic call; delete the indices it left."""
        try:
            old = list(self.client.indices.get_alias(name=self.alias))
        except NotFoundError:
            old = []
        actions: list[dict[str, Any]] = [
            {"remove": {"index": index, "alias": self.alias}} for index in old if index != name
        ]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self.client.indices.update_aliases(body={"actions": actions})
        for index in old:
            if index != name:
                self.client.indices.delete(index=index, ignore_unavailable=True)
        self._index_ready = True
        return old

    def refresh(self) -> None:
        self.client.indices.refresh(index=self.alias)

    def ping(self) -> bool:
        try:
            return bool(self.client.ping(request_timeout=2))
        except Exception:
            return False

    def index_state(self) -> IndexState | None:
        try:
            current = self.current_index()
            count = self.client.count(index=self.alias)["count"] if current else 0
        except ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc
        return IndexState(alias=self.alias, index=current, documents=int(count))
