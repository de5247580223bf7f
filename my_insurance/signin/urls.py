"""Addresses of this part of 我的医保 (gathered by my_insurance/urls.py)."""

from django.urls import path

from my_insurance.signin import views

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-out/", views.sign_out, name="sign_out"),
]
