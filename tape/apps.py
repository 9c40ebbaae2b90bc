from django.apps import AppConfig


class TapeConfig(AppConfig):
    name = "tape"
    verbose_name = "Tape archive"
    default_auto_field = "django.db.models.BigAutoField"
