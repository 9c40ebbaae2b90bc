"""The demo catalogue: a generator of the SciCat-shaped export that ``make run`` imports.

Not part of the portal (no app imports it); ``make demo-export`` rewrites ``demo/scicat-export``.
"""
