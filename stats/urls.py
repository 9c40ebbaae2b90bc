from django.urls import path

from stats import views

app_name = "stats"

urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/<slug:key>.csv", views.statistics_csv, name="csv"),
    path("statistics/<slug:key>.svg", views.statistics_chart, name="chart"),
]
