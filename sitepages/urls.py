from django.urls import path

from sitepages import views
from sitepages.models import KNOWN_SLUGS

app_name = "sitepages"

urlpatterns = [
    *(path(f"{slug}/", views.site_page, {"slug": slug}, name=slug) for slug in KNOWN_SLUGS),
    path("pages/<slug:slug>/", views.site_page, name="page"),
]
