from django.apps import AppConfig


class PanoscConfig(AppConfig):
    name = "panosc"
    verbose_name = "PaNOSC search API"
