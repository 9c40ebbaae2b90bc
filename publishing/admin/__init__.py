"""Staff administration of publications: the DOI workflow (one module per admin page).

Curators (group "Curators") create publications from datasets or a beamtime's datasets, fill in
the DataCite fields and preview the landing page. Publishers (group "Publishers", permission
``publishing.register_publication``) register the DOI, and withdraw or restore publications; a
registered publication's metadata is edited by publishers only, since saving it updates DataCite.
Publications imported from the catalogue stay read-only here, as before.

- :mod:`~publishing.admin.publications`: the publications' admin (list, form, preview link,
  check and register, withdraw and restore).
- :mod:`~publishing.admin.datacite_calls`: the audit log of DataCite calls shown on it.
- :mod:`~publishing.admin.catalogue_actions`: the catalogue's dataset and proposal admins, plus
  "create a draft publication" actions.

Django imports this package to find the admins; these imports register them.
"""

from publishing.admin import catalogue_actions, publications

__all__ = ["catalogue_actions", "publications"]
