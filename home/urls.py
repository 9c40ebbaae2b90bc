from django.urls import path

from home import views

app_name = "home"

urlpatterns = [
    path("", views.home, name="home"),
    path("for-machines/", views.for_machines, name="for_machines"),
]
