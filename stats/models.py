"""The aggregates the statistics page reads: rebuilt whole by ``stats.services.figures_refresh``.

Only public records are counted, and only counts and sums are kept: nothing here names a dataset.
A beamline is a catalogue ``Instrument``; its pid, name and facility are copied in, so the page
needs no join (a dataset without an instrument is counted under an empty pid).
"""

from __future__ import annotations

from django.db import models


class DatasetFigure(models.Model):
    """Public datasets of one beamline, measured in one year, kept in one place (disk or tape)."""

    facility = models.CharField(max_length=255, blank=True)
    beamline_pid = models.CharField(max_length=255, blank=True)
    beamline = models.CharField(max_length=255, blank=True)
    # The year of the measurement (start time, else creation time); null when undated.
    year = models.PositiveSmallIntegerField(null=True)
    data_location = models.CharField(max_length=16)
    datasets = models.PositiveIntegerField()
    size = models.BigIntegerField("volume (bytes)")
    files = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["facility", "beamline_pid"], name="stats_dataset_fig_idx")]

    def __str__(self) -> str:
        return f"{self.beamline or '-'} {self.year or '-'} {self.data_location}: {self.datasets}"


class OpennessFigure(models.Model):
    """Datasets made public and DOIs published in one year, on one beamline.

    A dataset became public at its embargo's end when it had one, else at its creation. A DOI is
    counted in its publication year, on the beamline of its first dataset (lowest id), so that
    sums over beamlines count each DOI once.
    """

    facility = models.CharField(max_length=255, blank=True)
    beamline_pid = models.CharField(max_length=255, blank=True)
    beamline = models.CharField(max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(null=True)
    datasets = models.PositiveIntegerField(default=0)
    dois = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["facility", "beamline_pid"], name="stats_openness_fig_idx")]

    def __str__(self) -> str:
        return f"{self.beamline or '-'} {self.year or '-'}: {self.datasets}, {self.dois} DOIs"


class FiguresRefresh(models.Model):
    """One rebuild of the aggregates: when, how long it took, and how many datasets it read."""

    finished_at = models.DateTimeField()
    seconds = models.FloatField()
    datasets = models.PositiveIntegerField()

    class Meta:
        get_latest_by = "finished_at"

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M} ({self.datasets} datasets)"
