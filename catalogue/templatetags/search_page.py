"""The search page's repeated markup, written in Python: facet checkboxes and the table's rows.

The page shows up to 160 facet values and 25 rows (each with several cells); as template loops
these were most of the page's rendering time. The markup is the one the template had; every value
is escaped here as ``{{ }}`` would, except highlight fragments (made safe by the view).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape as _html_escape
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def escape(value: object) -> str:
    """``django.utils.html.escape`` without its lazy-string wrapper (which costs more than this)."""
    return _html_escape(str(value))


def _count(n: int) -> str:
    """``{{ n|intcomma }}`` and ``dataset{{ n|pluralize }}`` (the portal is in English)."""
    return f'{n:,}<span class="visually-hidden"> dataset{"" if n == 1 else "s"}</span>'


@register.simple_tag
def facet_options(name: str, options: Iterable[Any]) -> SafeString:
    """The ``<li>`` checkboxes of one facet's values (``FacetOption``s)."""
    name = escape(name)
    items = []
    for option in options:
        control = escape(option.id)
        items.append(
            f'<li><input type="checkbox" id="{control}" name="{name}" '
            f'value="{escape(option.value)}"{" checked" if option.selected else ""}>\n'
            f'  <label for="{control}"><span class="facet-label">{escape(option.label)}</span> '
            f'<span class="facet-count">{_count(option.count)}</span></label></li>'
        )
    return mark_safe("\n".join(items))  # noqa: S308 - every value above is escaped


@register.simple_tag
def dataset_rows(rows: Iterable[Any]) -> SafeString:
    """The ``<tr>`` of the dataset table's rows (``Row``s)."""
    out = []
    for row in rows:
        title = conditional_escape(row.title_html) if row.title_html else escape(row.title)
        snippets = "".join(
            f'<p class="snippet"><span class="snippet-label">{escape(label)}:</span> '
            f"{conditional_escape(html)}</p>"
            for label, html in row.snippets
        )
        time = (
            f'<time datetime="{escape(row.start_iso)}">{escape(row.start_text)}</time>'
            if row.start_text
            else ""
        )
        thumbnail = (
            f'<img src="{escape(row.thumbnail_url)}" alt="{escape(row.thumbnail_alt)}" '
            f'width="48" height="48" loading="lazy">'
            if row.thumbnail_url
            else ""
        )
        out.append(
            "<tr>\n"
            f'  <th scope="row" class="cell-pid"><a href="{escape(row.url)}">{escape(row.pid)}</a>'
            "</th>\n"
            f'  <td class="cell-title">{title}{snippets}</td>\n'
            f"  <td>{escape(row.run_number)}</td>\n"
            f'  <td class="cell-folder">{escape(row.source_folder)}</td>\n'
            f'  <td class="cell-num">{escape(row.size)}</td>\n'
            f'  <td class="cell-time">{time}</td>\n'
            f"  <td>{escape(row.type)}</td>\n"
            f'  <td class="cell-thumb">{thumbnail}</td>\n'
            f"  <td>{escape(row.proposal_id)}</td>\n"
            "</tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


@register.simple_tag
def select_options(choices: Iterable[tuple[object, object]], current: object) -> SafeString:
    """The ``<option>``s of (value, label) pairs, the one whose value is ``current`` selected."""
    chosen = str(current)
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<option value="{escape(value)}"{" selected" if str(value) == chosen else ""}>'
            f"{escape(label)}</option>"
            for value, label in choices
        )
    )


@register.simple_tag
def facet_groups(groups: Iterable[Any]) -> SafeString:
    """The sidebar's ``<fieldset>`` per facet (``FacetGroup``s): the most frequent values, and
    the rest behind "Show more" (``<details>``, so it opens without JavaScript)."""
    out = []
    for group in groups:
        label = escape(group.label)
        selected = (
            f' <span class="visually-hidden">({group.selected_count} selected)</span>'
            if group.selected_count
            else ""
        )
        more = ""
        if group.more:
            more = (
                f'\n<details class="facet-more" id="more-{escape(group.name)}">\n'
                f'  <summary>Show {len(group.more)} more<span class="visually-hidden"> '
                f"{escape(group.label.lower())} values</span></summary>\n"
                f'  <ul class="facet-values">\n{facet_options(group.name, group.more)}\n  </ul>\n'
                "</details>"
            )
        out.append(
            '<fieldset class="facet">\n'
            f"  <legend>{label}{selected}</legend>\n"
            f'  <ul class="facet-values">\n{facet_options(group.name, group.top)}\n  </ul>'
            f"{more}\n</fieldset>"
        )
    if not out:
        return mark_safe('<p class="hint">No filters for these results.</p>')
    return mark_safe("\n".join(out))  # noqa: S308 - every value is escaped


@register.simple_tag
def column_headers(columns: Iterable[dict[str, str]]) -> SafeString:
    """The table's ``<th>``s; sortable columns link to their sort, the sorted one has aria-sort."""
    out = []
    for column in columns:
        sort = f' aria-sort="{escape(column["aria_sort"])}"' if column["aria_sort"] else ""
        label = escape(column["label"])
        if column["href"]:
            href = escape(column["href"])
            label = (
                f'<a class="sort-link" href="{href}" data-hx-get="{href}">{label}'
                f'<span class="visually-hidden"> ({escape(column["hint"])})</span></a>'
            )
        out.append(
            f'<th scope="col" class="col-{escape(column["key"] or "plain")}"{sort}>{label}</th>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value is escaped


@register.simple_tag
def key_options(suggestions: Iterable[Any]) -> SafeString:
    """The ``<option>``s of the parameter-key ``<datalist>`` (``KeySuggestion``s)."""
    out = []
    for suggestion in suggestions:
        unit = escape(suggestion.unit)
        n = suggestion.count
        out.append(
            f'<option value="{escape(suggestion.key)}" data-unit="{unit}">'
            f"{f'{unit} · ' if unit else ''}{n:,} value{'' if n == 1 else 's'}</option>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value is escaped
