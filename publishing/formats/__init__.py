"""The output formats of the one metadata record, one module each.

Every format is a writer of a :class:`publishing.record.DataCiteRecord` (the DataCite metadata
parsed once), so the landing pages' exports, OAI-PMH, the APIs to come and the bulk dump all say
the same thing; HTTP (content negotiation, signposting, the views) stays with the apps that serve
it, and nothing here imports ``landing`` or ``oai``.

* :mod:`~publishing.formats.datacite_xml` — DataCite kernel-4 XML (``<resource>``).
* :mod:`~publishing.formats.datacite_json` — DataCite JSON, as registered.
* :mod:`~publishing.formats.dublin_core` — unqualified Dublin Core (``oai_dc``).
* :mod:`~publishing.formats.bibtex`, :mod:`~publishing.formats.ris`,
  :mod:`~publishing.formats.csl` — reference managers.
* :mod:`~publishing.formats.schemaorg` — schema.org ``Dataset`` JSON-LD (plus a
  :class:`~publishing.formats.schemaorg.Catalogue` of what only the catalogue knows).
* :mod:`~publishing.formats.fields` — facts several formats derive alike (creators, licences, ...).
"""
