from django.urls import path

from catalogue import browse, views

app_name = "catalogue"

urlpatterns = [
    path("datasets/", views.dataset_list, name="dataset_list"),
    # Browse pages (catalogue/browse.py).
    path("instruments/", browse.instrument_list, name="instrument_list"),
    path("proposals/", browse.proposal_list, name="proposal_list"),
    path("techniques/", browse.technique_list, name="technique_list"),
    # Autocomplete for the search page's condition builder (not under datasets/: PIDs live there).
    path("search/keys", views.parameter_keys, name="parameter_keys"),
    # A dataset's page, /datasets/<pid>, is the landing app's.
]
