"""Addresses of this part of 我的医保 (gathered by my_insurance/urls.py)."""

from django.urls import path

from my_insurance.overview import views

urlpatterns = [
    path("", views.home, name="home"),
    path("care/", views.care, name="care"),
    path("assistance/", views.assistance, name="assistance"),
    path("household/", views.household, name="household"),
]
