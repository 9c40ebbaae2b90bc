from django.urls import path

from publishing import views

app_name = "publishing"

urlpatterns = [
    path("publications/", views.publication_list, name="publication_list"),
]
