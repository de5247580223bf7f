"""A NUL character in an address is refused with 400 before any view runs (portal/web/middleware.py):
on PostgreSQL an admin filter such as ?status__exact=%00 would otherwise end in HTTP 500."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.logins import otp_login

pytestmark = pytest.mark.django_db

MIDDLEWARE = "portal.web.middleware.RejectNulMiddleware"


@pytest.fixture
def with_middleware(settings):
    if MIDDLEWARE not in settings.MIDDLEWARE:
        position = settings.MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
        settings.MIDDLEWARE = [*settings.MIDDLEWARE[:position], MIDDLEWARE, *settings.MIDDLEWARE[position:]]


def test_every_admin_list_refuses_a_nul_in_its_filters(with_middleware, demo, officer):
    client = Client(raise_request_exception=False)
    otp_login(client, officer)
    for model in (model for model in apps.get_models() if admin.site.is_registered(model)):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url + "?status__exact=%00").status_code == 400, url
        assert client.get(url + "?q=%00").status_code == 400, url
        assert client.get(url).status_code in (200, 302, 403), url


@pytest.mark.parametrize("address", ["/verify/%00/", "/service-points/search/?q=a%00b", "/premium/?region=%00"])
def test_public_addresses_with_a_nul_are_refused_in_chinese(with_middleware, db, address):
    response = Client().get(address)
    assert response.status_code == 400 and "无效字符" in response.content.decode()


def test_ordinary_addresses_pass(with_middleware, db):
    assert Client().get("/service-points/search/", {"q": "车站"}).status_code == 200


def test_the_api_refuses_a_nul_in_its_own_error_shape(client, db):
    response = client.get("/api/v1/premium", {"year": "\x00"})
    assert response.status_code == 400 and "无效字符" in response.json()["errors"]["__all__"][0]
