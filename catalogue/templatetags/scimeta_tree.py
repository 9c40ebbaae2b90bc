"""Scientific metadata as a readable tree: nested groups, each leaf with its value and unit.

SciCat metadata is free JSON: quantities come as ``{"value", "unit"}`` or ``{"v", "u"}`` (ranges as
a two-item value), everything else is nested objects, lists and plain values. The tree is built in
Python and rendered as nested lists, with groups as ``<details open>`` so they fold without script.
Very large documents are cut off with a note rather than rendered in full.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from catalogue.templatetags.portal_format import mask_emails

register = template.Library()

MAX_NODES = 2000
MAX_DEPTH = 12
MAX_TEXT = 2000
_QUANTITY_KEYS = {"value", "unit", "type", "valueSI", "unitSI", "std", "error", "human_name"}
_SHORT_QUANTITY_KEYS = {"v", "u", "type", "std", "error"}
# Unit spellings from instrument software, shown the way people write them.
_UNIT_DISPLAY = {
    "degC": "°C",
    "degF": "°F",
    "celsius": "°C",
    "um": "µm",
    "angstrom": "Å",
    "Angstrom": "Å",
    "percent": "%",
    "ohm": "Ω",
}


@dataclass
class Node:
    key: str
    value: str = ""
    unit: str = ""
    children: list[Node] = field(default_factory=list)
    is_group: bool = False


@dataclass
class _Budget:
    left: int = MAX_NODES
    truncated: bool = False

    def take(self) -> bool:
        if self.left <= 0:
            self.truncated = True
            return False
        self.left -= 1
        return True


def _scalar(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(value) if math.isfinite(value) else "—"
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)[:MAX_TEXT]


def _quantity(node: dict[str, Any]) -> tuple[str, str] | None:
    """``(value text, unit)`` when ``node`` is a quantity, else None."""
    keys = set(node)
    if "value" in keys and keys <= _QUANTITY_KEYS and not isinstance(node["value"], dict):
        value, unit, error = node["value"], node.get("unit"), node.get("error", node.get("std"))
    elif "v" in keys and keys <= _SHORT_QUANTITY_KEYS and not isinstance(node["v"], dict):
        value, unit, error = node["v"], node.get("u"), node.get("error", node.get("std"))
    else:
        return None
    if (
        isinstance(value, list)
        and len(value) == 2
        and not any(isinstance(v, dict | list) for v in value)
    ):
        text = f"{_scalar(value[0])} \N{EN DASH} {_scalar(value[1])}"
    elif isinstance(value, list):
        text = ", ".join(_scalar(v) for v in value)
    else:
        text = _scalar(value)
    if error is not None and not isinstance(error, dict | list):
        text = f"{text} ± {_scalar(error)}"
    unit_text = unit.strip()[:128] if isinstance(unit, str) else ""
    return text[:MAX_TEXT], _UNIT_DISPLAY.get(unit_text, unit_text)


def _build(key: str, value: Any, depth: int, budget: _Budget) -> Node | None:
    if not budget.take():
        return None
    if isinstance(value, dict):
        if (quantity := _quantity(value)) is not None:
            return Node(key=key, value=quantity[0], unit=quantity[1])
        return _group(key, list(value.items()), depth, budget)
    if isinstance(value, list):
        if any(isinstance(item, dict | list) for item in value):
            items = [(f"[{i + 1}]", item) for i, item in enumerate(value)]
            return _group(key, items, depth, budget)
        return Node(key=key, value=", ".join(_scalar(item) for item in value)[:MAX_TEXT] or "—")
    return Node(key=key, value=_scalar(value))


def _group(key: str, items: list[tuple[Any, Any]], depth: int, budget: _Budget) -> Node:
    node = Node(key=key, is_group=True)
    if depth >= MAX_DEPTH:
        node.value = "(nested too deeply to show)"
        node.is_group = False
        return node
    for child_key, child in items:
        built = _build(str(child_key), child, depth + 1, budget)
        if built is None:
            break
        node.children.append(built)
    return node


def build_tree(metadata: Any) -> tuple[list[Node], bool]:
    """The top-level nodes of ``metadata`` and whether the tree was cut short."""
    budget = _Budget()
    if not isinstance(metadata, dict):
        return [], False
    nodes = []
    for key, value in metadata.items():
        built = _build(str(key), value, 1, budget)
        if built is None:
            break
        nodes.append(built)
    return nodes, budget.truncated


def _render_nodes(nodes: list[Node]) -> SafeString:
    return format_html_join("", "{}", ((_render_node(node),) for node in nodes))


def _render_node(node: Node) -> SafeString:
    key = mask_emails(node.key)
    if node.is_group:
        if not node.children:
            return format_html(
                '<li><span class="tree-key">{}</span> <span class="tree-value">(empty)</span></li>',
                key,
            )
        return format_html(
            '<li><details open><summary class="tree-key">{}</summary>'
            '<ul class="tree">{}</ul></details></li>',
            key,
            _render_nodes(node.children),
        )
    unit = (
        format_html(' <span class="tree-unit">{}</span>', mask_emails(node.unit))
        if node.unit
        else ""
    )
    return format_html(
        '<li><span class="tree-key">{}</span> <span class="tree-value">{}{}</span></li>',
        key,
        mask_emails(node.value),
        unit,
    )


@register.simple_tag
def scimeta_tree(metadata: Any) -> SafeString:
    """``metadata`` as nested lists; an empty string when there is none."""
    nodes, truncated = build_tree(metadata)
    if not nodes:
        return mark_safe("")
    note = (
        format_html('<p class="note">Only the first {} entries are shown.</p>', MAX_NODES)
        if truncated
        else ""
    )
    return format_html('<ul class="tree tree-root">{}</ul>{}', _render_nodes(nodes), note)
