"""The portal's addresses: the only module that knows every app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from benefits import api as benefits_api
from enrollment import api as enrollment_api
from enrollment.views import enrolling as enrollment_views
from enrollment.views import public as enrollment_public
from my_insurance.proofs import verify as proof_verify
from portal.accounts import lockout, logins, two_factor
from portal.network import views as network_views
from portal.public import api_schema
from portal.public import views as public_views
from portal.web import display, health
from treatment.filings import views as filing_views

urlpatterns = [
    path("", public_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", public_views.favicon),
    path("display/<str:mode>/", display.display_set, name="display"),
    path("staff/", logins.staff_home, name="staff_home"),
    path("accounts/login/", logins.StaffLoginView.as_view(), name="login"),
    path("accounts/login/code/", two_factor.login_code, name="login_code"),
    path("accounts/two-factor/", two_factor.setup, name="two_factor_setup"),
    path("accounts/lockouts/", lockout.lockout_list, name="lockouts"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("premium/", enrollment_public.premium_page, name="premium"),
    path("lookup/", enrollment_public.lookup, name="lookup"),
    path("estimate/", include("benefits.urls")),
    path("service-points/", network_views.service_points, name="service_points"),
    path("service-points/search/", network_views.service_points_search, name="service_points_search"),
    path("service-points/area/<str:code>/", network_views.service_points_area, name="service_points_area"),
    path("service-points/<int:pk>/", network_views.service_point_detail, name="service_point"),
    path("guides/", public_views.guides, name="guides"),
    path("guides/<slug:code>/", public_views.guide_detail, name="guide"),
    path("notices/", public_views.notices, name="notices"),
    path("notices/<int:pk>/", public_views.notice_detail, name="notice"),
    path("api/", public_views.api_page, name="api"),
    path("api/v1/service-points", network_views.api_service_points, name="api_service_points"),
    path("api/v1/benefits/estimate", benefits_api.estimate, name="api_benefits_estimate"),
    path("api/v1/premium", enrollment_api.premium, name="api_premium"),
    path("api/v1/openapi.json", api_schema.openapi, name="api_openapi"),
    path("my/", include("my_insurance.urls")),
    path("station/assistance/", include("assistance.urls")),
    path("station/treatment/", include("treatment.urls")),
    path("station/", include("enrollment.urls")),
    path("verify/<str:code>/", enrollment_views.receipt_verify, name="receipt_verify"),
    path("verify/filing/<str:code>/", filing_views.filing_verify, name="filing_verify"),
    path("verify/proof/<str:code>/", proof_verify.proof_verify, name="proof_verify"),
    path("admin/", admin.site.urls),
]
