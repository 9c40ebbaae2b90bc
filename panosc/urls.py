"""``/panosc-api/``: the PaNOSC search API's routes, as LoopBack names them (``Datasets``...).

PIDs and DOIs hold ``/``: raw or percent-encoded (``%2F`` arrives decoded), both work. The
``files``/``count`` routes come first, so a pid followed by them is never read as a longer pid.
"""

from django.urls import URLPattern, re_path

from panosc import views

app_name = "panosc"

urlpatterns: list[URLPattern] = [
    re_path(r"^(?i:datasets)/?$", views.dataset_list, name="datasets"),
    re_path(r"^(?i:datasets)/count/?$", views.dataset_count, name="dataset_count"),
    re_path(
        r"^(?i:datasets)/(?P<pid>.+)/files/count/?$",
        views.dataset_files_count,
        name="dataset_files_count",
    ),
    re_path(r"^(?i:datasets)/(?P<pid>.+)/files/?$", views.dataset_files, name="dataset_files"),
    re_path(r"^(?i:datasets)/(?P<pid>.+?)/?$", views.dataset_detail, name="dataset"),
    re_path(r"^(?i:documents)/?$", views.document_list, name="documents"),
    re_path(r"^(?i:documents)/count/?$", views.document_count, name="document_count"),
    re_path(r"^(?i:documents)/(?P<pid>.+?)/?$", views.document_detail, name="document"),
    re_path(r"^(?i:instruments)/?$", views.instrument_list, name="instruments"),
    re_path(r"^(?i:instruments)/count/?$", views.instrument_count, name="instrument_count"),
    re_path(r"^(?i:instruments)/(?P<pid>.+?)/?$", views.instrument_detail, name="instrument"),
]
