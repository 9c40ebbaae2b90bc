"""The SciCat client the sync holds: one object, one concern a module beneath it.

Nothing outside ``sync.scicat`` knows SciCat's paths, filters, paging or authentication. The
client is built in layers, each a module:

* :mod:`~sync.scicat.client`: the HTTP session, login and tokens, retries, list answers checked
  against their filter;
* :mod:`~sync.scicat.release`: which release (4.x or 5.x) and dialect (v3 / v4, with or without
  an account), and the routes that follow;
* :mod:`~sync.scicat.filters`: MongoDB operators and limits per dialect (plain functions);
* :mod:`~sync.scicat.paging`: whole lists in pages of an explicit size, in a stable order;
* :mod:`~sync.scicat.relations`: a page's files, thumbnails, instruments and proposals, asked for
  by id and kept only for the page's public datasets;
* :mod:`~sync.scicat.datasets` and :mod:`~sync.scicat.published`: what the sync reads.
"""

from __future__ import annotations

from sync.scicat.datasets import Datasets
from sync.scicat.published import PublishedData


class SciCatApi(Datasets, PublishedData):
    """A SciCat backend, read page by page. One instance per sync run (it keeps the session)."""
