from django.urls import URLPattern, URLResolver

app_name = "landing"

urlpatterns: list[URLPattern | URLResolver] = []
