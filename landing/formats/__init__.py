"""The machine-readable formats of a landing record, one module per family.

The registry that names them (keys, media types, file names) is :mod:`landing.exports`.
"""
