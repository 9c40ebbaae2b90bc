from django.urls import URLPattern, URLResolver, path

from landing import download_views, feeds, machine_views, preview, views

app_name = "landing"

urlpatterns: list[URLPattern | URLResolver] = [
    # -- the pages (landing/views.py); DOIs and PIDs contain "/", "%2F" arrives decoded ---------
    path("doi/<path:doi>", views.publication, name="publication"),
    path("datasets/<path:pid>", views.dataset, name="dataset"),
    # A page of a dataset's files (htmx), and the "download all" lists (landing/download_views.py);
    # the format comes first so that a PID ending in anything still matches.
    path("files/<path:pid>", views.dataset_files, name="dataset_files"),
    # A file, counted (usage/) and redirected to its storage URL; before the lists' routes.
    path("download/file/datasets/<path:pid>", download_views.file_download, name="file_download"),
    path(
        "download/<slug:fmt>/doi/<path:doi>",
        download_views.publication_download,
        name="publication_download",
    ),
    path(
        "download/<slug:fmt>/datasets/<path:pid>",
        download_views.dataset_download,
        name="dataset_download",
    ),
    # -- machine-readable (landing/machine_views.py): exports, linksets, sitemap, robots --------
    path(
        "export/<slug:key>/doi/<path:identifier>",
        machine_views.export,
        {"kind": "doi"},
        name="export_publication",
    ),
    path(
        "export/<slug:key>/datasets/<path:identifier>",
        machine_views.export,
        {"kind": "datasets"},
        name="export_dataset",
    ),
    path(
        "linkset/<slug:fmt>/doi/<path:identifier>",
        machine_views.linkset,
        {"kind": "doi"},
        name="linkset_publication",
    ),
    path(
        "linkset/<slug:fmt>/datasets/<path:identifier>",
        machine_views.linkset,
        {"kind": "datasets"},
        name="linkset_dataset",
    ),
    path("sitemap.xml", machine_views.sitemap, name="sitemap"),
    path(
        "sitemaps/<slug:section>-<int:number>.xml", machine_views.sitemap_page, name="sitemap_page"
    ),
    path("robots.txt", machine_views.robots, name="robots"),
    # -- Atom feeds (landing/feeds.py) ----------------------------------------------------------
    path("feeds/datasets.atom", feeds.new_datasets, name="feed_datasets"),
    path("feeds/publications.atom", feeds.new_publications, name="feed_publications"),
    path("feeds/search.atom", feeds.search_feed, name="feed_search"),
    # -- staff only (landing/preview.py): a publication's page before it is public --------------
    path("preview/publications/<int:pk>", preview.publication_preview, name="publication_preview"),
]
