"""English dates as the facility writes them: ISO 8601 days (2026-12-03), 24-hour times.

Django's own English formats ("Dec. 3, 2026, 9:18 a.m.") read oddly next to measurement times;
German keeps Django's (03.12.2026 09:18, "Dezember 2026").
"""

SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
