"""DataCite JSON: the ``attributes`` DataCite's REST API takes and content negotiation gives.

The document is the dictionary :mod:`publishing.metadata` built (and DataCite gets, unchanged),
which the record keeps as :attr:`~publishing.record.DataCiteRecord.attributes`.
"""

from __future__ import annotations

import json

from publishing.record import DataCiteRecord


def datacite_json(record: DataCiteRecord) -> str:
    """The DataCite JSON attributes, indented, UTF-8 characters as they are."""
    return json.dumps(record.attributes, ensure_ascii=False, indent=2) + "\n"
