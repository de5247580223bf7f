"""The portal's addresses: the only module that knows every app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from benefits import api as benefits_api
from enrollment import enrollment_views
from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("display/<str:mode>/", views.display_set, name="display"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("estimate/", include("benefits.urls")),
    path("api/v1/benefits/estimate", benefits_api.estimate, name="api_benefits_estimate"),
    path("station/", include("enrollment.urls")),
    path("verify/<str:code>/", enrollment_views.receipt_verify, name="receipt_verify"),
    path("admin/", admin.site.urls),
]
