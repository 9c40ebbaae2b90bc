"""The statistics page: the facility's data in figures and charts (``/statistics/``).

Named ``stats`` (not ``statistics``: that is a module of the standard library). It reads the
catalogue and the publications into small aggregate tables after each sync (``services``), and the
page reads only those (``selectors``), so it costs the same at a thousand datasets as at a
million. It sits below ``sync`` (whose runs end by asking for a refresh) and above ``publishing``.
"""

from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Statistics"
