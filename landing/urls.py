from django.urls import URLPattern, URLResolver, path

from landing import views

app_name = "landing"

urlpatterns: list[URLPattern | URLResolver] = [
    # -- the pages (landing/views.py); DOIs and PIDs contain "/", "%2F" arrives decoded ---------
    path("doi/<path:doi>", views.publication, name="publication"),
    path("datasets/<path:pid>", views.dataset, name="dataset"),
    # A page of a dataset's files (htmx), and the "download all" lists; the format comes first
    # so that a PID ending in anything still matches.
    path("files/<path:pid>", views.dataset_files, name="dataset_files"),
    path(
        "download/<slug:fmt>/doi/<path:doi>",
        views.publication_download,
        name="publication_download",
    ),
    path(
        "download/<slug:fmt>/datasets/<path:pid>",
        views.dataset_download,
        name="dataset_download",
    ),
]
