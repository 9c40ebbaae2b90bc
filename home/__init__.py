"""The portal's front page: the catalogue and its publications at a glance.

An app of its own because the page reads both ``catalogue`` and ``publishing``: it sits above
them with ``landing`` and ``oai`` (``catalogue`` must not import ``publishing``), and it is not a
record's landing page. It owns no model, only the page.
"""
