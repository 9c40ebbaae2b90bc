"""/statistics/ and its CSV downloads: the numbers shown, the filters, bad input, valid HTML."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from tests.htmlcheck import vnu_errors
from tests.stats.figures_catalogue import Catalogue

pytestmark = pytest.mark.django_db


def rows(client: Client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def sql(query: str, params: list[Any] | None = None) -> list[list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params or [])
        return [[str(value) for value in row] for row in cursor.fetchall()]


BEAMLINE_SQL = (
    "SELECT count(*), sum(d.size), sum(d.number_of_files) FROM catalogue_dataset d "
    "LEFT JOIN catalogue_instrument i ON i.id = d.instrument_id WHERE d.visibility = 'public' "
    "{where} GROUP BY i.facility, i.unique_name ORDER BY i.facility NULLS FIRST, i.unique_name"
)
YEAR = "extract(year FROM coalesce(d.start_time, d.creation_time))"
YEARS_SQL = (
    "SELECT coalesce({year}::int::text, 'Undated'), count(*), sum(d.size), "
    "sum(d.number_of_files) FROM catalogue_dataset d WHERE d.visibility = 'public' "
    "GROUP BY 1 ORDER BY min({year}) NULLS LAST"
)


KEYS = ("beamlines", "years", "places", "openness", "views", "downloads")


def draw_every_chart(client: Client, query: str = "") -> None:
    for key in KEYS:
        response = client.get(f"/statistics/{key}.svg{query}")
        assert response.status_code == 200, key
        assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
        assert "<svg" in response.content.decode()


def test_the_page_shows_every_chart_with_its_table_and_csv(
    client: Client, catalogue: Catalogue
) -> None:
    draw_every_chart(client)
    response = client.get("/statistics/")
    assert response.status_code == 200
    body = response.content.decode()
    for key in ("beamlines", "years", "places", "openness", "views", "downloads"):
        assert f'id="{key}-heading"' in body
        assert f'aria-labelledby="{key}-heading"' in body  # the chart's label
        assert f'href="/statistics/{key}.csv"' in body
    assert body.count("<svg") == 6
    assert body.count("<table") == 6
    assert "style=" not in body
    assert "<style" not in body
    assert re.search(r"<th scope=\"row\">P08 \(PETRA III\)</th><td[^>]*>4</td>", body)


def test_csv_per_beamline_equals_plain_sql(client: Client, catalogue: Catalogue) -> None:
    got = rows(client, "/statistics/beamlines.csv")
    assert got[0] == ["beamline", "datasets", "volume_bytes", "files"]
    assert [r[1:] for r in got[1:]] == sql(BEAMLINE_SQL.format(where=""))
    assert [r[0] for r in got[1:]] == [
        "No beamline",
        "ID17 (ESRF)",
        "P08 (PETRA III)",
        "P10 (PETRA III)",
    ]


def test_csv_per_year_equals_plain_sql(client: Client, catalogue: Catalogue) -> None:
    got = rows(client, "/statistics/years.csv")
    expected = sql(YEARS_SQL.format(year=YEAR))
    assert got[1:] == expected


def test_csv_of_disk_and_tape_equals_plain_sql(client: Client, catalogue: Catalogue) -> None:
    got = {r[0]: r[1:] for r in rows(client, "/statistics/places.csv")[1:]}
    for place, column in (("disk", 0), ("tape", 2), ("unknown", 4)):
        counted = sql(
            "SELECT i.unique_name, count(*), sum(d.size) FROM catalogue_dataset d "
            "JOIN catalogue_instrument i ON i.id = d.instrument_id "
            "WHERE d.visibility = 'public' AND d.data_location = %s GROUP BY 1",
            [place],
        )
        for name, datasets, size in counted:
            label = next(k for k in got if k.startswith(f"{name} ("))
            assert got[label][column : column + 2] == [datasets, size]
    assert got["P08 (PETRA III)"] == ["2", "1000000019", "2", "8000000000", "0", "0"]


def test_csv_of_public_datasets_and_dois_over_time(client: Client, catalogue: Catalogue) -> None:
    got = rows(client, "/statistics/openness.csv")
    assert got[0][0] == "year"
    made = dict(
        (int(y), int(n))
        for y, n in sql(
            "SELECT extract(year FROM coalesce(embargo_end, creation_time, created))::int, "
            "count(*) FROM catalogue_dataset WHERE visibility = 'public' GROUP BY 1"
        )
    )
    assert {int(r[0]): int(r[1]) for r in got[1:] if int(r[1])} == made
    assert got[-1][2] == "8"  # every public dataset, in total
    assert [(r[0], r[3], r[4]) for r in got[1:] if r[0] in {"2024", "2025"}] == [
        ("2024", "1", "1"),
        ("2025", "1", "2"),
    ]


USAGE_SQL = (
    "SELECT d.pid, sum(u.{unique}), sum(u.{total}) FROM usage_usagemonth u "
    "JOIN catalogue_dataset d ON d.id = u.dataset_id "
    "LEFT JOIN catalogue_instrument i ON i.id = d.instrument_id "
    "WHERE d.visibility = 'public' AND u.access_method = 'regular' {where} "
    "GROUP BY d.id, d.pid HAVING sum(u.{total}) > 0 ORDER BY 2 DESC, 3 DESC, d.id"
)


@pytest.mark.parametrize(
    ("key", "unique", "total"),
    [
        ("views", "unique_investigations", "total_investigations"),
        ("downloads", "unique_requests", "total_requests"),
    ],
)
@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("", ""),
        ("?facility=PETRA+III", "AND i.facility = 'PETRA III'"),
        ("?year_from=2025", "AND u.month >= '2025-01-01'"),
    ],
)
def test_csv_of_most_used_datasets_equals_plain_sql(
    client: Client, catalogue: Catalogue, key: str, unique: str, total: str, query: str, where: str
) -> None:
    got = rows(client, f"/statistics/{key}.csv{query}")
    assert got[0][0] == "pid"
    expected = sql(USAGE_SQL.format(unique=unique, total=total, where=where))
    assert [[r[0], r[3], r[4]] for r in got[1:]] == expected
    assert expected  # the catalogue has usage for every case


def test_filters_narrow_every_figure(client: Client, catalogue: Catalogue) -> None:
    got = rows(client, "/statistics/beamlines.csv?facility=PETRA+III&year_from=2022&year_to=2022")
    expected = sql(BEAMLINE_SQL.format(where=f"AND i.facility = 'PETRA III' AND {YEAR} = 2022"))
    assert [r[1:] for r in got[1:]] == expected
    assert rows(client, "/statistics/years.csv?beamline=p10")[1:] == [
        ["2022", "1", "7000000000", "70"],
        ["2023", "1", "11000000000", "110"],
    ]
    body = client.get("/statistics/?beamline=id17").content.decode()
    assert 'href="/statistics/years.csv?beamline=id17"' in body
    assert "P08 (PETRA III)</th>" not in body


def test_the_running_totals_count_the_years_before_the_range(
    client: Client, catalogue: Catalogue
) -> None:
    got = rows(client, "/statistics/openness.csv?year_from=2025&year_to=2025")
    assert got[1:] == [["2025", "1", "7", "1", "2"]]  # 7 public by the end of 2025


@pytest.mark.parametrize(
    "query",
    [
        "year_from=abc",
        "year_to=99999",
        "year_from=2024&year_to=2020",
        "facility=Nowhere",
        "beamline=not-a-beamline",
        "year_from=%00",
    ],
)
def test_bad_filters_answer_400_with_a_message(
    client: Client, catalogue: Catalogue, query: str
) -> None:
    page = client.get(f"/statistics/?{query}")
    assert page.status_code == 400
    assert (
        'class="field-error"' in page.content.decode() or "message-error" in page.content.decode()
    )
    download = client.get(f"/statistics/years.csv?{query}")
    assert download.status_code == 400
    assert download.content.decode().startswith("Bad filters.")


def test_an_unknown_chart_is_not_found(client: Client, catalogue: Catalogue) -> None:
    assert client.get("/statistics/secrets.csv").status_code == 404
    assert client.get("/statistics/secrets.svg").status_code == 404


def test_a_chart_not_drawn_yet_is_an_image_until_it_is_drawn(
    client: Client, catalogue: Catalogue
) -> None:
    """The page never waits for matplotlib: it links what is not drawn, inlines what is."""
    cache.clear()
    query = "?facility=PETRA+III&year_from=2020"
    body = client.get(f"/statistics/{query}").content.decode()
    assert "<svg" not in body
    for key in KEYS:
        assert (
            f'<img class="chart-image" src="/statistics/{key}.svg{query.replace("&", "&amp;")}"'
            in body
        )
    draw_every_chart(client, query)
    body = client.get(f"/statistics/{query}").content.decode()
    assert body.count("<svg") == 6
    assert '<img class="chart-image"' not in body


def test_a_chart_image_refuses_bad_filters(client: Client, catalogue: Catalogue) -> None:
    response = client.get("/statistics/years.svg?year_from=banana")
    assert response.status_code == 400
    assert response.content.decode().startswith("Bad filters.")


def test_the_page_before_any_refresh_says_so(client: Client, db: None) -> None:
    body = client.get("/statistics/").content.decode()
    assert "No figures yet" in body
    assert "<svg" not in body


def test_the_navigation_footer_and_home_page_link_the_statistics(
    client: Client, catalogue: Catalogue
) -> None:
    home = client.get("/").content.decode()
    assert home.count('href="/statistics/"') == 3  # navigation, home page, footer
    page = client.get("/statistics/").content.decode()
    assert 'href="/statistics/" aria-current="page"' in page


def test_the_page_is_valid_html(client: Client, catalogue: Catalogue, tmp_path: Path) -> None:
    documents = {
        "statistics": client.get("/statistics/").content.decode(),
        "statistics-filtered": client.get("/statistics/?facility=ESRF").content.decode(),
        "statistics-bad": client.get("/statistics/?year_from=2024&year_to=2020").content.decode(),
    }
    assert vnu_errors(documents, tmp_path) == []
