"""Writes to publications, one module per concern (import from the module, not from here).

- :mod:`~publishing.services.from_catalogue`: publications the catalogue brings (registered
  elsewhere), created or updated by the import.
- :mod:`~publishing.services.drafts`: publications created and edited in the portal.
- :mod:`~publishing.services.withdrawal`: withdrawing and restoring (tombstones).
- :mod:`~publishing.services.registration`: the DOI at DataCite, asked for and pushed (the state
  machine the background task drives).
- :mod:`~publishing.services.auto_doi`: automatic DOIs for newly public datasets
  (``PORTAL_AUTO_DOI``).
- :mod:`~publishing.services.errors` and :mod:`~publishing.services.indexing`: what they share.
"""
