from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from operations.logs import request_began, request_ended

        request_started.connect(request_began, dispatch_uid="operations.request_id")
        request_finished.connect(request_ended, dispatch_uid="operations.request_id")
