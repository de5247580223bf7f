from django.urls import path

from enrollment import views

app_name = "station"

urlpatterns = [
    path("", views.station_home, name="home"),
]
