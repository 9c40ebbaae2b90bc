from django.urls import URLPattern, path

from tape import views

app_name = "tape"

urlpatterns: list[URLPattern] = [
    path("restage/verify/<str:token>", views.verify, name="verify"),
    path("restage/datasets/<path:pid>", views.restage_request, name="request"),
]
