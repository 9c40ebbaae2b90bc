from django.urls import path

from publishing import views

app_name = "publishing"

urlpatterns = [
    path("publications/", views.publication_list, name="publication_list"),
    # DOIs contain "/" (10.5072/desy-pd-0001); "%2F" arrives decoded, so it matches too.
    path("doi/<path:doi>", views.publication_detail, name="publication_detail"),
]
