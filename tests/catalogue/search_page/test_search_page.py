"""The search page at /datasets/: results, facets, chips, the condition builder, htmx swaps."""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from lxml import html as lxml_html

from catalogue.models import Dataset
from catalogue.search import FACETS, SearchPage
from tests.catalogue.search_page.conftest import HX
from tests.factories import DatasetFactory

pytestmark = pytest.mark.django_db


def page_of(response: Any) -> Any:
    return lxml_html.fromstring(response.content.decode())


def pids(response: Any) -> list[str]:
    return [
        a.text_content()
        for a in page_of(response).xpath(
            "//table[@class='data-table datasets']/tbody//th[@class='cell-pid']/a"
        )
    ]


def total(response: Any) -> int:
    return int(page_of(response).get_element_by_id("results").get("data-total"))


def facet_values(response: Any, facet: str) -> dict[str, tuple[int, bool]]:
    """value -> (count, ticked) of one facet in the sidebar."""
    found = {}
    for box in page_of(response).xpath(
        f"//aside[@class='facets']//input[@type='checkbox'][@name='{facet}']"
    ):
        label = page_of(response).xpath(f"//label[@for='{box.get('id')}']")[0]
        count = label.xpath(".//span[@class='facet-count']")[0].text_content()
        found[box.get("value")] = (int(re.sub(r"\D", "", count)), box.get("checked") is not None)
    return found


def chips(response: Any) -> dict[str, str]:
    """Chip text -> the URL that removes it."""
    return {
        " ".join(
            a.text_content()
            .replace("(remove this filter)", "")
            .replace("\N{MULTIPLICATION SIGN}", "")
            .split()
        ): a.get("href")
        for a in page_of(response).xpath("//ul[@class='chips']//a[@class='chip']")
    }


# -- results and the URL ----------------------------------------------------------------------


def test_results_element_carries_the_number_of_hits(
    client: Client, indexed: dict[str, Dataset]
) -> None:
    response = client.get("/datasets/")

    assert response.status_code == 200
    assert total(response) == 4
    assert len(pids(response)) == 4


def test_facet_filter_narrows_the_results(client: Client, indexed: dict[str, Dataset]) -> None:
    response = client.get("/datasets/?instrument=P21")

    assert sorted(pids(response)) == ["20.500.12269/ui-cold", "20.500.12269/ui-undated"]
    assert total(response) == 2


def test_values_of_one_facet_combine_with_or_and_facets_with_and(
    client: Client, indexed: dict[str, Dataset]
) -> None:
    either = client.get("/datasets/?instrument=P08&instrument=P21")
    both = client.get("/datasets/?instrument=P08&location=tape")

    assert total(either) == 4
    assert pids(both) == ["20.500.12269/ui-warm"]


def test_unknown_facet_value_matches_nothing_and_stays_removable(
    client: Client, indexed: dict[str, Dataset]
) -> None:
    response = client.get("/datasets/?instrument=NOPE")

    assert response.status_code == 200
    assert total(response) == 0
    assert facet_values(response, "instrument")["NOPE"] == (0, True)
    assert chips(response)["Instrument: NOPE"] == "/datasets/"


def test_conditions_convert_units(client: Client, indexed: dict[str, Dataset]) -> None:
    warm = client.get("/datasets/?sm=sample_temperature+>+20+degC")
    energy = client.get("/datasets/?sm=incident_energy+between+10+and+20+keV")

    assert sorted(pids(warm)) == ["20.500.12269/ui-monolayer", "20.500.12269/ui-warm"]
    assert pids(energy) == ["20.500.12269/ui-monolayer"]


# -- the facet sidebar -------------------------------------------------------------------------


def test_sidebar_shows_facets_with_counts_in_order(
    client: Client, indexed: dict[str, Dataset]
) -> None:
    response = client.get("/datasets/?instrument=P08")

    legends = [
        legend.text_content().split("(")[0].strip()
        for legend in page_of(response).xpath(
            "//aside[@class='facets']//fieldset[@class='facet']/legend"
        )
    ]
    assert legends == [label for label in FACETS.values() if label in legends]
    assert {"Instrument", "Year", "Keyword", "Data location"} <= set(legends)
    # Other values of the same facet are counted without that facet's own filter.
    assert facet_values(response, "instrument") == {"P08": (2, True), "P21": (2, False)}
    assert facet_values(response, "location") == {"disk": (1, False), "tape": (1, False)}
    assert facet_values(response, "year") == {"2024": (2, False)}


def test_long_facets_show_the_top_values_and_the_rest_behind_show_more(
    client: Client, any_backend: str
) -> None:
    from catalogue.search import backend

    datasets = [DatasetFactory.create(keywords=[f"kw{i:02d}"]) for i in range(10)]
    chosen = backend()
    chosen.index([d.pk for d in datasets])
    if hasattr(chosen, "refresh"):
        chosen.refresh()

    response = client.get("/datasets/?keyword=kw09")

    fieldset = next(
        f
        for f in page_of(response).xpath("//aside[@class='facets']//fieldset")
        if "Keyword" in f.text_content()
    )
    shown = fieldset.xpath("./ul//input")
    hidden = fieldset.xpath("./details//input")
    assert len(shown) == 7  # the top six and the ticked one
    assert "kw09" in [box.get("value") for box in shown]
    assert len(hidden) == 3
    assert "Show 3 more" in fieldset.xpath("./details/summary")[0].text_content()


# -- chips -------------------------------------------------------------------------------------


def test_each_chip_removes_one_filter(client: Client, indexed: dict[str, Dataset]) -> None:
    response = client.get(
        "/datasets/?q=lipid&instrument=P08&location=disk&sm=sample_temperature+>+20+degC&per_page=10"
    )

    found = chips(response)
    assert set(found) == {
        "Text: “lipid”",
        "Instrument: P08",
        "Data location: Online (on disk)",
        "Condition: sample_temperature > 20 degC",
    }
    removed = dict(parse_qsl(urlsplit(found["Instrument: P08"]).query))
    assert "instrument" not in removed
    assert removed["q"] == "lipid"
    assert removed["location"] == "disk"
    assert "q" not in dict(parse_qsl(urlsplit(found["Text: “lipid”"]).query))
    assert "sm" not in dict(
        parse_qsl(urlsplit(found["Condition: sample_temperature > 20 degC"]).query)
    )
    clear = page_of(response).xpath("//a[@class='clear-all']")[0].get("href")
    assert clear == "/datasets/?per_page=10"


def test_no_chips_without_filters(client: Client, indexed: dict[str, Dataset]) -> None:
    assert chips(client.get("/datasets/")) == {}


# -- highlights --------------------------------------------------------------------------------


def test_text_matches_are_highlighted_in_the_results(
    client: Client, indexed: dict[str, Dataset], any_backend: str
) -> None:
    response = client.get("/datasets/?q=monolayer")

    cell = page_of(response).xpath("//td[@class='cell-title']")[0]
    assert "monolayer" in [m.text_content().lower() for m in cell.xpath(".//mark")]
    assert "DPPG" in cell.text_content()


def test_highlight_fragments_cannot_carry_markup(
    client: Client, catalogue: dict[str, Dataset], monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalogue import selectors

    real = selectors.dataset_search
    target = catalogue["monolayer"].pk

    def hostile(query: Any) -> SearchPage:
        page = real(query)
        return dataclasses.replace(
            page,
            highlights={
                target: {
                    "title": ["<mark>GIXOS</mark> <script>alert(1)</script>"],
                    "description": ['<img src=x onerror="alert(2)"> <mark>x</mark>'],
                }
            },
        )

    monkeypatch.setattr(selectors, "dataset_search", hostile)

    body = client.get("/datasets/").content.decode()

    assert "<script>alert(1)" not in body
    assert "<img src=x" not in body
    assert "<mark>GIXOS</mark> &lt;script>alert(1)&lt;/script>" in body


# -- the condition builder ---------------------------------------------------------------------


def test_builder_rows_show_the_url_conditions(client: Client, indexed: dict[str, Dataset]) -> None:
    response = client.get(
        "/datasets/?sm=sample_temperature+>+20+degC&sm=incident_energy+between+10+and+20+keV"
    )

    doc = page_of(response)
    keys = [i.get("value") for i in doc.xpath("//input[@name='sm_key']")]
    ops = [
        s.xpath("./option[@selected]")[0].get("value") for s in doc.xpath("//select[@name='sm_op']")
    ]
    values = [i.get("value") for i in doc.xpath("//input[@name='sm_value']")]
    units = [i.get("value") for i in doc.xpath("//input[@name='sm_unit']")]
    assert keys == ["sample_temperature", "incident_energy"]
    assert ops == [">", "between"]
    assert values == ["20", "10 and 20"]
    assert units == ["degC", "keV"]
    assert doc.xpath("//details[@class='conditions']")[0].get("open") is not None


def test_one_empty_row_when_there_are_no_conditions(client: Client, db: None) -> None:
    doc = page_of(client.get("/datasets/"))

    assert [i.get("value") for i in doc.xpath("//input[@name='sm_key']")] == [""]
    assert not doc.xpath("//button[@name='remove_row']")  # nothing to remove yet


def test_form_without_javascript_redirects_to_the_canonical_url(client: Client, db: None) -> None:
    response = client.get(
        "/datasets/?q=&sort=&per_page=25&sm_key=sample_temperature&sm_op=%3E&sm_value=20"
        "&sm_unit=degC&sm_key=&sm_op=%3E&sm_value=&sm_unit="
    )

    assert response.status_code == 302
    assert response["Location"] == "/datasets/?sm=sample_temperature+%3E+20+degC"


def test_add_row_renders_one_more_empty_row(client: Client, db: None) -> None:
    response = client.get(
        "/datasets/?sm_key=sample_temperature&sm_op=%3E&sm_value=20&sm_unit=K&add_row=1"
    )

    assert response.status_code == 200
    keys = [i.get("value") for i in page_of(response).xpath("//input[@name='sm_key']")]
    assert keys == ["sample_temperature", ""]


def test_remove_row_removes_that_condition(client: Client, db: None) -> None:
    response = client.get(
        "/datasets/?sm_key=a&sm_op=%3E&sm_value=1&sm_key=b&sm_op=%3C&sm_value=2&remove_row=0",
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/datasets/?sm=b+%3C+2"
    keys = [i.get("value") for i in page_of(response).xpath("//input[@name='sm_key']")]
    assert keys == ["b"]


def test_incomplete_row_is_kept_with_a_hint_and_not_applied(
    client: Client, indexed: dict[str, Dataset]
) -> None:
    response = client.get("/datasets/?sm_key=sample_temperature&sm_op=%3E&sm_value=&sm_unit=")

    assert response.status_code == 200
    assert total(response) == 4
    assert "Enter a value for this condition" in response.content.decode()


def test_a_bad_condition_shows_its_error_next_to_its_row(
    client: Client, indexed: dict[str, Dataset]
) -> None:
    response = client.get(
        "/datasets/?sm=sample_temperature+>+20+degC&sm=incident_energy+>+20+parsecs"
    )

    assert response.status_code == 400
    doc = page_of(response)
    rows = doc.xpath("//li[contains(@class, 'condition-row')]")
    assert not rows[0].xpath(".//p[@class='field-error']")
    error = rows[1].xpath(".//p[@class='field-error']")[0]
    assert "parsecs" in error.text_content()
    key = rows[1].xpath(".//input[@name='sm_key']")[0]
    assert key.get("aria-invalid") == "true"
    assert key.get("aria-describedby") == error.get("id")


# -- htmx --------------------------------------------------------------------------------------


def test_htmx_gets_the_search_area_with_the_canonical_url_to_push(
    client: Client, indexed: dict[str, Dataset]
) -> None:
    response = client.get(
        "/datasets/?q=&instrument=P08&sort=&per_page=25&sm_key=sample_temperature&sm_op=%3E"
        "&sm_value=20&sm_unit=degC",
        headers=HX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="search-area"')
    assert "<html" not in body
    assert 'id="q"' not in body  # the search box is never swapped while someone types
    assert response["HX-Push-Url"] == (
        "/datasets/?instrument=P08&sm=sample_temperature+%3E+20+degC"
    )
    assert "HX-Request" in response["Vary"]
    assert 'data-total="' in body


def test_htmx_history_restore_gets_the_whole_page(client: Client, db: None) -> None:
    response = client.get(
        "/datasets/?instrument=P08", headers={**HX, "HX-History-Restore-Request": "true"}
    )

    body = response.content.decode()
    assert "<html" in body
    assert 'id="q"' in body
    assert "HX-Push-Url" not in response


def test_every_htmx_link_has_the_same_real_href(
    client: Client, indexed: dict[str, Dataset]
) -> None:
    response = client.get("/datasets/?instrument=P08&q=lipid&per_page=10")

    links = page_of(response).xpath("//a[@data-hx-get]")
    assert links
    assert all(a.get("href") == a.get("data-hx-get") for a in links)


def test_the_form_works_without_javascript(client: Client, db: None) -> None:
    doc = page_of(client.get("/datasets/"))

    form = doc.get_element_by_id("dataset-search")
    assert (form.get("action"), form.get("method")) == ("/datasets/", "get")
    buttons = form.xpath(".//button[@type='submit']")
    assert buttons[0].text_content() == "Search"  # Enter in any field submits a plain search
    assert form.xpath("//aside//button[@class='no-js-only']")


# -- reduced mode and privacy -------------------------------------------------------------------


def test_degraded_search_shows_a_visible_notice(
    client: Client, catalogue: dict[str, Dataset], monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalogue import selectors

    real = selectors.dataset_search
    monkeypatch.setattr(
        selectors, "dataset_search", lambda q: dataclasses.replace(real(q), degraded=True)
    )

    response = client.get("/datasets/", headers=HX)

    assert response.status_code == 200
    notice = page_of(response).xpath("//div[contains(@class, 'message-warning')]")[0].text_content()
    assert "Search is running in a reduced mode." in notice


def test_search_page_shows_no_private_field(client: Client, db: None) -> None:
    from sync.services import export_import
    from tests.demo import DEMO_EXPORT, PRIVATE_STRINGS

    export_import(path=DEMO_EXPORT)

    for url in (
        "/datasets/",
        "/datasets/?q=DPPG",
        "/datasets/?per_page=100",
        "/search/keys?key=",
        "/search/keys?key=s",
    ):
        body = client.get(url).content.decode()
        for private in PRIVATE_STRINGS:
            assert private not in body, (url, private)


def test_the_readme_examples_answer(client: Client, indexed: dict[str, Dataset]) -> None:
    from pathlib import Path

    from django.conf import settings

    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme.split("## Searching: URL parameters", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"^(/datasets/\?\S+)$", section, flags=re.MULTILINE)

    assert len(examples) >= 3
    for url in examples:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'data-total="' in response.content.decode()
    monolayer = client.get("/datasets/?q=DPPG+monolayer")
    assert pids(monolayer) == ["20.500.12269/ui-monolayer"]


def test_opensearch_down_falls_back_to_the_database_with_a_notice(
    client: Client, catalogue: dict[str, Dataset], settings: Any
) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.OPENSEARCH_URL = f"http://127.0.0.1:{port}"
    settings.OPENSEARCH_TIMEOUT = 1

    response = client.get("/datasets/?instrument=P08")

    assert response.status_code == 200
    assert "Search is running in a reduced mode." in response.content.decode()
    assert total(response) == 2


def test_search_unavailable_is_a_503_page_that_says_so(
    client: Client, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalogue import selectors
    from catalogue.search import SearchUnavailable

    def unavailable(query: Any) -> SearchPage:
        raise SearchUnavailable("database gone")

    monkeypatch.setattr(selectors, "dataset_search", unavailable)

    response = client.get("/datasets/?q=lipid")

    assert response.status_code == 503
    assert "Search is not available at the moment" in response.content.decode()
    assert page_of(response).get_element_by_id("q").get("value") == "lipid"


def test_sorting_and_paging_links_keep_every_filter(
    client: Client, indexed: dict[str, Dataset]
) -> None:
    response = client.get(
        "/datasets/?q=lipid&instrument=P08&sm=sample_temperature+>+20+degC&per_page=10"
    )

    doc = page_of(response)
    size_link = doc.xpath("//th[contains(@class, 'col-size')]/a")[0].get("href")
    assert parse_qsl(urlsplit(size_link).query) == [
        ("q", "lipid"),
        ("instrument", "P08"),
        ("sm", "sample_temperature > 20 degC"),
        ("sort", "-size"),
        ("per_page", "10"),
    ]
    menu = doc.get_element_by_id("sort")
    assert menu.xpath("./option[@selected]")[0].text == "Relevance, best match first"
    assert menu.xpath("./option")[0].get("value") == ""  # the default order, sent as nothing
