"""A librarian's whole publishing flow in Debian's chromium, with JavaScript on and off.

From a proposal to a registered DOI against the DataCite stand-in: the publication is created from
the proposal list, two creators with ORCID iD and affiliation are added, a contributor (data
collector, ORCID iD, ROR affiliation), a geo location, a related article's DOI and a funder; a
wrong ORCID iD is refused next to its field and fixed; the landing page is previewed with its
real styles; the register page's checklist passes and the DOI is registered.
axe finds nothing serious on any page. Screenshots go to /tmp/librarian-<js|nojs>-*.png.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from publishing.models import DoiState, Publication
from tests.browser import PageWatch, chromium
from tests.factories import DatasetFactory, ProposalFactory
from tests.standins.datacite import DataCiteStandIn

PASSWORD = "a-long-librarian-passphrase"


@pytest.fixture
def librarian(transactional_db: None, standin: DataCiteStandIn) -> str:
    """A proposal with two public datasets, and a member of both staff groups."""
    proposal = ProposalFactory.create(
        proposal_id="11019634", title="Operando battery cathodes", pi_name="Noether, Emmy"
    )
    DatasetFactory.create_batch(2, proposal=proposal, keywords=["battery"])
    user = get_user_model().objects.create_user("librarian", password=PASSWORD, is_staff=True)
    user.groups.add(*_staff_groups())
    return "librarian"


def _staff_groups() -> list[Group]:
    """The Curators and Publishers groups as their data migration makes them: a transactional
    test before this one flushed the tables (permissions come back with post_migrate, groups
    made by a migration do not)."""
    roles = importlib.import_module("publishing.migrations.0003_publishing_roles")
    curator = [
        f"{app}.{action}_{model}"
        for app, model, actions in roles.CURATOR_PERMISSIONS
        for action in actions
    ]
    groups = []
    for name, extra in roles.GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*roles._permissions(django_apps, curator + extra))
        groups.append(group)
    return groups


def arrived(page: Any, pattern: str) -> None:
    """The page has loaded an address matching ``pattern`` (Playwright's wait_for_url waits for
    ever on a page without JavaScript, so the load state is awaited instead)."""
    page.wait_for_load_state()
    assert re.search(pattern, page.url), page.url


def _fill_creator(
    page: Any, row: int, given: str, family: str, orcid: str, aff: str, ror: str
) -> None:
    prefix = f"creators-{row}"
    page.fill(f'[name="{prefix}-given_name"]', given)
    page.fill(f'[name="{prefix}-family_name"]', family)
    page.fill(f'[name="{prefix}-orcid"]', orcid)
    page.fill(f'[name="{prefix}-affiliation_name"]', aff)
    page.fill(f'[name="{prefix}-affiliation_ror"]', ror)


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_librarian_publishes_a_proposal(
    librarian: str,
    live_server: Any,
    standin: DataCiteStandIn,
    monkeypatch: pytest.MonkeyPatch,
    javascript: bool,
) -> None:
    base = live_server.url
    with chromium(monkeypatch) as browser:
        context = browser.new_context(
            viewport={"width": 1366, "height": 900}, java_script_enabled=javascript
        )
        page = context.new_page()
        page.set_default_timeout(30_000)  # a ceiling for a loaded machine, not a timing
        watch = PageWatch(page, f"librarian-{'js' if javascript else 'nojs'}")

        def check(name: str) -> None:
            # axe runs in the page: with JavaScript off only a screenshot is taken (the same
            # pages are checked by axe in the run with JavaScript).
            if javascript:
                watch.check(name)
            else:
                page.screenshot(path=f"/tmp/librarian-nojs-{name}.png", full_page=True)

        page.goto(f"{base}/admin/login/?next=/admin/")
        page.fill("#id_username", librarian)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Log in").click()
        arrived(page, rf"{base}/admin/$")
        assert "Django administration" not in page.content()

        # The proposal, found by its id; a draft publication of its public datasets.
        page.goto(f"{base}/admin/catalogue/proposal/?q=11019634")
        page.locator('input[name="_selected_action"]').first.check()
        page.select_option('select[name="action"]', "create_publications")
        page.get_by_role("button", name="Go").click()
        arrived(page, r"/admin/publishing/publication/\d+/change/$")
        publication = Publication.objects.get()
        assert "Operando battery cathodes" in page.content()
        check("editor")

        # Two creators with ORCID iD and affiliation (the second ORCID iD mistyped).
        _fill_creator(
            page, 1, "Josiah", "Carberry", "0000-0002-1825-0097", "Brown University", "05gq02987"
        )
        page.get_by_role("button", name="Add a row to creators").click()
        page.wait_for_selector('[name="creators-2-family_name"]')
        assert page.input_value('[name="creators-1-family_name"]') == "Carberry"
        _fill_creator(
            page,
            2,
            "Rosalind",
            "Franklin",
            "0000-0001-5109-3701",
            "Photon Science Facility",
            "01js2sh04",
        )
        # A contributor with a role, ORCID iD and ROR affiliation; where the samples came from.
        page.select_option('[name="contributors-0-contributor_type"]', "DataCollector")
        page.fill('[name="contributors-0-given_name"]', "Lise")
        page.fill('[name="contributors-0-family_name"]', "Meitner")
        page.fill('[name="contributors-0-orcid"]', "0000-0002-1825-0097")
        page.fill('[name="contributors-0-affiliation_name"]', "Brown University")
        page.fill('[name="contributors-0-affiliation_ror"]', "05gq02987")
        page.fill('[name="geo_locations-0-place"]', "Hamburg, Germany")
        page.fill('[name="geo_locations-0-point_latitude"]', "53.5754")
        page.fill('[name="geo_locations-0-point_longitude"]', "9.8803")
        # A related article and a funder.
        page.select_option('[name="related_identifiers-0-relation_type"]', "IsSupplementTo")
        page.select_option('[name="related_identifiers-0-identifier_type"]', "DOI")
        page.fill(
            '[name="related_identifiers-0-identifier"]', "https://doi.org/10.1107/S1600576722000000"
        )
        page.select_option('[name="related_identifiers-0-resource_type"]', "JournalArticle")
        page.fill('[name="funding_references-0-funder_name"]', "European Research Council")
        page.select_option('[name="funding_references-0-funder_identifier_type"]', "ROR")
        page.fill('[name="funding_references-0-funder_identifier"]', "0472cxd90")
        page.fill('[name="funding_references-0-award_number"]', "101000000")
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_load_state()

        # The mistake is named next to its field, nothing is saved, what was typed stays.
        row = page.locator("#creators-2")
        assert "check digit" in row.inner_text()
        assert page.input_value('[name="related_identifiers-0-identifier"]').endswith("722000000")
        publication.refresh_from_db()
        assert len(publication.creators) == 1
        check("editor-error")
        page.fill('[name="creators-2-orcid"]', "0000-0001-5109-3700")
        page.get_by_role("button", name="Save and preview").click()
        arrived(page, rf"/preview/publications/{publication.pk}$")

        # The preview is the landing page, styled by its own stylesheet.
        assert page.locator('link[rel="stylesheet"][href*="landing.css"]').count() == 1
        if javascript:
            assert page.evaluate(
                "[...document.styleSheets].some(s => (s.href || '').includes('landing.css'))"
            )
        assert "Carberry" in page.content()
        facts = page.locator("dl.facts").inner_text()
        assert "Meitner, Lise (data collector)" in facts
        assert "Hamburg, Germany (53.5754° N, 9.8803° E)" in facts
        check("preview")

        # The register page: the DOI it will register, every check passing; register.
        page.goto(f"{base}/admin/publishing/publication/{publication.pk}/register/")
        doi = page.locator("#doi").inner_text()
        assert doi.startswith("10.99999/")
        assert page.locator(".checklist li.fail").count() == 0
        assert page.locator(".checklist li.ok").count() == 5
        check("register")
        page.get_by_role("button", name="Register DOI at DataCite").click()
        arrived(page, rf"/admin/publishing/publication/{publication.pk}/change/$")
        assert "Registering" in page.content()
        context.close()

    publication.refresh_from_db()
    assert publication.doi == doi
    assert publication.doi_state == DoiState.FINDABLE
    sent = standin.doi(doi).attributes
    assert [c["name"] for c in sent["creators"]] == [
        "Noether, Emmy",
        "Carberry, Josiah",
        "Franklin, Rosalind",
    ]
    assert sent["creators"][2]["nameIdentifiers"][0]["nameIdentifier"] == (
        "https://orcid.org/0000-0001-5109-3700"
    )
    assert sent["creators"][1]["affiliation"][0]["affiliationIdentifier"] == (
        "https://ror.org/05gq02987"
    )
    assert {
        "relatedIdentifier": "10.1107/s1600576722000000",
        "relatedIdentifierType": "DOI",
        "relationType": "IsSupplementTo",
        "resourceTypeGeneral": "JournalArticle",
    } in sent["relatedIdentifiers"]
    assert sent["contributors"] == [
        {
            "name": "Meitner, Lise",
            "nameType": "Personal",
            "givenName": "Lise",
            "familyName": "Meitner",
            "nameIdentifiers": [
                {
                    "nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
                    "nameIdentifierScheme": "ORCID",
                    "schemeUri": "https://orcid.org",
                }
            ],
            "affiliation": [
                {
                    "name": "Brown University",
                    "affiliationIdentifier": "https://ror.org/05gq02987",
                    "affiliationIdentifierScheme": "ROR",
                    "schemeUri": "https://ror.org",
                }
            ],
            "contributorType": "DataCollector",
        }
    ]
    assert sent["geoLocations"] == [
        {
            "geoLocationPlace": "Hamburg, Germany",
            "geoLocationPoint": {"pointLongitude": 9.8803, "pointLatitude": 53.5754},
        }
    ]
    assert sent["fundingReferences"][0]["funderIdentifier"] == "https://ror.org/0472cxd90"
    assert sent["rightsList"][0]["rightsIdentifier"] == "CC-BY-4.0"
    assert watch.serious == {}
    assert watch.errors == []
