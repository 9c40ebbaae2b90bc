"""The first versions of the site pages, written from the portal's settings (Markdown).

The data migration ``0002_defaults`` stores them once, in English (the default language, served
in every language without a version of its own), and ``0003_german_defaults`` the German ones
(:mod:`sitepages.defaults_de`); staff then edit them in the admin. They state
what this portal really does: keep them true when that changes (tests/sitepages/test_defaults.py
checks the facts they rely on).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Facility:
    """What the defaults say about the facility: from the ``PORTAL_*`` settings."""

    name: str  # PORTAL_NAME
    publisher: str  # PORTAL_PUBLISHER
    base_url: str  # PORTAL_BASE_URL
    contact_email: str  # PORTAL_CONTACT_EMAIL
    address: tuple[str, ...]  # PORTAL_POSTAL_ADDRESS, one line each
    data_contact: str  # PORTAL_DATA_CONTACT


@dataclass(frozen=True)
class DefaultPage:
    slug: str
    title: str
    description: str
    body: str


def _address(facility: Facility) -> str:
    if not facility.address:
        return facility.publisher
    return "  \n".join([facility.publisher, *facility.address])


def _email(facility: Facility) -> str:
    if not facility.contact_email:
        return "the facility's user office"
    return f"[{facility.contact_email}](mailto:{facility.contact_email})"


def _about(f: Facility) -> DefaultPage:
    return DefaultPage(
        "about",
        "About this portal",
        f"What {f.name} is: the public catalogue of research data measured at {f.publisher}.",
        f"""{f.name} is the public catalogue of research data measured at {f.publisher}.

Experiments at the facility's beamlines are recorded in an internal catalogue while the data is
under embargo. Once a record is public, it appears here for everyone, without an account: its
description, scientific metadata, instrument, proposal and the list of its files.

## What you find here

- [Datasets](/datasets/): search and filter every public dataset, by text, instrument,
  technique, dates and scientific metadata with units.
- [Publications](/publications/): datasets collected under a DOI, with a citation in the usual
  styles and exports (DataCite, BibTeX, RIS, CSL-JSON, schema.org).
- [Instruments](/instruments/), [proposals](/proposals/) and [techniques](/techniques/) to browse.
- [Statistics](/statistics/): the facility's public data in numbers.

## For programs

Harvesters and scripts have OAI-PMH, a sitemap, a REST API, the PaNOSC search API, feeds and
bulk dumps: see [For machines](/for-machines/).

## Citing data

Cite a dataset by its DOI where it has one; every landing page shows the citation. See the
[contact page](/contact/) for questions about the data.
""",
    )


def _contact(f: Facility) -> DefaultPage:
    data = ""
    if f.data_contact:
        data = f"""
## Data kept on tape

To have archived data staged, ask [{f.data_contact.removeprefix("mailto:")}]({f.data_contact}),
or use the request form on the dataset's page where it has one.
"""
    return DefaultPage(
        "contact",
        "Contact",
        f"How to reach the people behind {f.name}.",
        f"""Questions about the data, its metadata or this portal: write to {_email(f)}.

## Address

{_address(f)}
{data}
## Reporting a problem

If a page does not work, a record looks wrong or something is hard to use, please tell us which
page (its address) and what you expected. Problems with accessibility are welcome too: see the
[accessibility statement](/accessibility/).
""",
    )


def _imprint(f: Facility) -> DefaultPage:
    return DefaultPage(
        "imprint",
        "Imprint",
        f"Who publishes {f.name}.",
        f"""## Published by

{_address(f)}

E-mail: {_email(f)}\\
Web: [{f.base_url}]({f.base_url})

## Content

The metadata shown here is provided by the scientists who measured the data and by the
facility. Each dataset's licence is shown on its page. This portal's software is open source.

## Links to other sites

We are not responsible for the content of external sites linked from here.
""",
    )


def _privacy(f: Facility) -> DefaultPage:
    return DefaultPage(
        "privacy",
        "Privacy",
        f"What {f.name} records about its visitors, and what it does not.",
        f"""This portal is public and needs no account. It records as little as it can, and only
on its own servers: there are no analytics services, advertising, external fonts or content
delivery networks, so your browser talks to no one else while you use it.

## Cookies

Browsing sets no cookie. A cookie is set only:

- when you choose a language (`portal_language`, remembering your choice);
- on pages with a form (the request to restage data kept on tape): a `csrftoken` cookie that
  protects the form against cross-site forgery;
- for the facility's staff when they sign in to the administration (`sessionid`, `csrftoken`).

## Usage statistics

To report how often datasets are viewed and downloaded, the portal counts views of landing pages,
exports and downloads by the COUNTER Code of Practice, as publishers of research data do. Each
count keeps the time, the record, the kind of access (a person or a machine) and a visitor code:
a hash of your IP address and browser identification with a random value that is replaced every
day, so the same visitor cannot be recognised from one day to the next and the address itself is
never stored. Known robots are not counted. Counts are summed up per month; the single events are
then deleted, and only the monthly totals per record are kept, shown on the pages and may be
reported to DataCite.

## Rate limits

To keep the portal available to everyone, requests are counted per client address (an IPv4
address, or an IPv6 network of 64 bits) for a few minutes, in memory (Redis); the counters expire
by themselves. Wrong review-link tokens are counted the same way.

## Logs

The portal's own logs note what was asked (time, address of the page, status, size, duration) with a
request number, for finding faults. They do not record your IP address.

## Requests to restage data

If you ask for archived data to be staged, your e-mail address is kept until you have been told
that the data is ready (or that the request failed), and then erased. A keyed hash of the address
limits how many requests one address can make per day.

## Staff

Staff accounts sign in to the administration; failed sign-ins are recorded with the address they
came from, to lock out password guessing.

## Your rights

For questions about your data, to ask what is stored about you or to have it deleted, write to
{_email(f)}.
""",
    )


def _accessibility(f: Facility) -> DefaultPage:
    return DefaultPage(
        "accessibility",
        "Accessibility statement",
        f"How accessible {f.name} is, and how to report a barrier.",
        f"""{f.publisher} wants {f.name} to be usable by everyone, whatever their abilities
or the device they use.

## Standard

The portal aims to conform to the [Web Content Accessibility Guidelines (WCAG) 2.1, level
AA](https://www.w3.org/TR/WCAG21/). Its pages are tested automatically, in a real browser, with
the axe accessibility engine and with Lighthouse at every change:

- every page can be used with the keyboard alone, with a visible focus and a link to skip to the
  main content;
- text has sufficient contrast, in the light and in the dark colour scheme (which follows your
  system's setting), and can be enlarged to 200 % without loss;
- pages have headings, landmarks and labelled form fields for screen readers;
- tables of datasets become cards on narrow screens, without horizontal scrolling;
- the portal works without JavaScript.

## Known limitations

- Scientific metadata, file names and checksums are shown as the scientists recorded them and
  may not be meaningful when read aloud.
- Thumbnails are detector images; their descriptions come from the metadata and may be short.
- The staff administration is Django's and is not covered by this statement.

## Reporting a barrier

If something on this portal is hard or impossible for you to use, please tell us at
{_email(f)}: name the page (its address) and what happened. We will answer and
provide the information in another form if we can.
""",
    )


def default_pages(facility: Facility) -> list[DefaultPage]:
    return [build(facility) for build in (_about, _contact, _imprint, _privacy, _accessibility)]
