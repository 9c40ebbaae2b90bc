from django.urls import URLPattern, path

from review import views

app_name = "review"

urlpatterns: list[URLPattern] = [
    path("review/<str:token>/", views.review_page, name="page"),
    path("review/<str:token>/export/<slug:key>", views.review_export, name="export"),
]
