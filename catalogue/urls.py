from django.urls import path

from catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("datasets/", views.dataset_list, name="dataset_list"),
    # PIDs contain "/" (20.500.12269/7e562979-...), hence the path converter.
    path("datasets/<path:pid>", views.dataset_detail, name="dataset_detail"),
]
