from django.urls import URLPattern, URLResolver, path, re_path
from drf_spectacular.views import SpectacularAPIView

from api import problems, views
from api.docs_page import DocsPage

app_name = "api"

urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/datasets", views.DatasetList.as_view(), name="datasets"),
    # Before the record: "<pid>/files" is the file list (unless a PID itself ends in /files).
    path("v1/datasets/<path:pid>/files", views.DatasetFiles.as_view(), name="dataset_files"),
    path("v1/datasets/<path:pid>", views.DatasetDetail.as_view(), name="dataset"),
    path("v1/publications", views.PublicationList.as_view(), name="publications"),
    path("v1/publications/<path:doi>", views.PublicationDetail.as_view(), name="publication"),
    path("v1/instruments", views.InstrumentList.as_view(), name="instruments"),
    path("v1/proposals", views.ProposalList.as_view(), name="proposals"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsPage.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^(?P<route>.*)$", problems.unknown_route),
]
