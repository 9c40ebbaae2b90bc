"""The ground floor: plain helpers with no Django state and no import of any app.

Each module is named for what it does (healthchecks' ``hc/lib``). Everything above may import
from here; nothing here imports from above (checked by import-linter in ``make lint``).
"""
