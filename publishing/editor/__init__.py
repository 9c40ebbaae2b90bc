"""The staff editor of portal publications: DataCite's lists as rows of plain forms.

- :mod:`~publishing.editor.rows`: one form per list entry, and its way to and from DataCite JSON.
- :mod:`~publishing.editor.forms`: the editor of one publication (main form and formsets).
- :mod:`~publishing.editor.suggestions`: rows offered from the catalogue and earlier publications.
"""
