"""The suite's services are the real thing: PostgreSQL, Redis and OpenSearch servers, no mocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import redis
from django.db import connection
from opensearchpy import OpenSearch

from tests.servers import PostgresServer, RedisServer, ServerError, redis_missing, require_service


@pytest.mark.django_db
def test_default_database_is_the_throwaway_postgresql(postgres_server: PostgresServer) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_setting('server_version_num')::int")
        database, version = cursor.fetchone()

    assert connection.vendor == "postgresql"
    assert connection.settings_dict["PORT"] == str(postgres_server.port)
    assert database == "test_portal"
    assert version >= 150000


def test_postgres_url_names_the_server(postgres_server: PostgresServer) -> None:
    assert (
        postgres_server.database_url == f"postgres://portal@127.0.0.1:{postgres_server.port}/portal"
    )


@pytest.mark.django_db
def test_media_root_is_a_temporary_directory(settings: Any) -> None:
    media = Path(settings.MEDIA_ROOT)
    assert media.is_dir()
    assert not media.is_relative_to(Path(__file__).resolve().parent.parent)


def test_redis_answers_ping_set_and_get(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)

    assert client.ping() is True
    client.set("portal:test", "photon")
    assert client.get("portal:test") == b"photon"
    assert client.info("server")["redis_version"]


def test_opensearch_cluster_is_healthy(opensearch_url: str) -> None:
    health = OpenSearch(hosts=[opensearch_url]).cluster.health(wait_for_status="yellow")

    assert health["status"] in {"green", "yellow"}
    assert health["number_of_nodes"] == 1


ANALYSIS = {
    "analysis": {
        "tokenizer": {
            "prefixes": {
                "type": "edge_ngram",
                "min_gram": 2,
                "max_gram": 15,
                "token_chars": ["letter", "digit"],
            }
        },
        "analyzer": {
            "autocomplete": {"type": "custom", "tokenizer": "prefixes", "filter": ["lowercase"]}
        },
    }
}
MAPPINGS = {
    "properties": {
        "title": {
            "type": "text",
            "analyzer": "english",
            "fields": {
                "prefix": {
                    "type": "text",
                    "analyzer": "autocomplete",
                    "search_analyzer": "standard",
                }
            },
        }
    }
}


def _titles(client: OpenSearch, index: str, query: dict[str, Any]) -> list[str]:
    hits = client.search(index=index, body={"query": query})["hits"]["hits"]
    return [hit["_source"]["title"] for hit in hits]


def test_opensearch_stems_english_and_matches_prefixes(opensearch_url: str) -> None:
    client = OpenSearch(hosts=[opensearch_url])
    client.indices.create(index="services-check", body={"settings": ANALYSIS, "mappings": MAPPINGS})
    client.index(
        index="services-check",
        id="1",
        body={"title": "Tomography of diffracting crystals"},
        refresh=True,
    )

    # english: "diffraction crystal" and "diffracting crystals" share their stems.
    assert _titles(client, "services-check", {"match": {"title": "crystal diffracts"}}) == [
        "Tomography of diffracting crystals"
    ]
    # edge_ngram: a prefix finds the word.
    assert _titles(client, "services-check", {"match": {"title.prefix": "tomo"}}) == [
        "Tomography of diffracting crystals"
    ]
    assert _titles(client, "services-check", {"match": {"title.prefix": "tomx"}}) == []


def test_opensearch_reindex_module_is_loaded(opensearch_url: str) -> None:
    client = OpenSearch(hosts=[opensearch_url])
    client.index(index="services-source", id="1", body={"title": "Powder"}, refresh=True)

    result = client.reindex(
        body={"source": {"index": "services-source"}, "dest": {"index": "services-copy"}},
        refresh=True,
    )

    assert result["created"] == 1
    assert client.count(index="services-copy")["count"] == 1


def test_a_server_that_fails_to_start_says_why() -> None:
    reason = redis_missing()
    if reason:
        require_service("Redis", reason)

    class BrokenRedis(RedisServer):
        def _command(self, directory: Path) -> list[str]:
            return [*super()._command(directory), "--no-such-option", "yes"]

    server = BrokenRedis(start_timeout=10)
    with pytest.raises(ServerError, match="exited with status") as excinfo:
        server.start()

    assert "no-such-option" in str(excinfo.value)
    assert server.directory is None  # cleaned up
