import re
from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch("portal.web.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_home_page_is_chinese_with_a_title_and_the_large_text_switch(client):
    html = client.get("/").content.decode()
    assert '<html lang="zh-Hans">' in html
    assert re.search(r"<title>[^<]+</title>", html)
    assert "大字版" in html
    assert "12393" in html
    assert "<script" not in html  # every page works without JavaScript


def test_large_text_mode_is_remembered_in_a_cookie(client):
    response = client.get("/display/large/", {"next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert response.cookies["display"].value == "large"
    html = client.get("/accounts/login/").content.decode()
    assert 'class="display-large"' in html and "标准版" in html

    client.get("/display/standard/")
    assert 'class="display-large"' not in client.get("/").content.decode()


def test_the_display_switch_never_redirects_to_another_site(client):
    response = client.get("/display/large/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_station_sends_anonymous_users_to_login(client):
    response = client.get("/station/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/station/")


def test_a_clerk_sees_their_scope_and_service_point(client, clerk_chezhan):
    client.force_login(clerk_chezhan)
    html = client.get("/station/").content.decode()
    assert "山东省 / 淄博市 / 张店区 / 车站街道" in html
    assert "车站街道医保工作站" in html
    assert "公园街道" not in html  # another township


def test_clerks_log_in_through_the_login_page(client, clerk_chezhan):
    response = client.post("/accounts/login/", {"username": "clerk_chezhan", "password": "portal-demo-2022"}, follow=True)
    assert response.redirect_chain[-1] == ("/station/", 302) and response.status_code == 200


def test_an_officer_is_not_a_station_clerk(client, officer):
    client.force_login(officer)
    assert client.get("/station/").status_code == 403


def test_a_clerk_without_a_scope_is_told_to_ask_for_one(client, clerk_chezhan):
    clerk_chezhan.staff_profile.delete()
    client.force_login(clerk_chezhan)
    response = client.get("/station/")
    assert response.status_code == 403
    assert "还没有分配管辖区域" in response.content.decode()


def test_clerks_cannot_log_into_the_admin(client, clerk_chezhan):
    # The admin's own password form is not used: it would skip the lockout and second factor.
    response = client.post(
        "/admin/login/", {"username": "clerk_chezhan", "password": "portal-demo-2022", "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    client.force_login(clerk_chezhan)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/", follow=True).status_code == 403


def test_a_clerk_marked_staff_by_mistake_still_cannot_use_the_admin(client, clerk_chezhan):
    clerk_chezhan.is_staff = True
    clerk_chezhan.save()
    client.force_login(clerk_chezhan)
    assert client.get("/admin/").status_code == 302


def test_officers_log_into_the_admin(client, officer):
    # Password, then the code of the demo authenticator (tests/portal/accounts/test_logins.py has the rest).
    from django_otp.oath import totp

    from portal.network.demo import DEMO_TOTP_KEY

    response = client.post("/accounts/login/", {"username": "officer", "password": "portal-demo-2022", "next": "/admin/"})
    assert response.status_code == 302
    response = client.post("/accounts/login/code/", {"code": f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/portal/region/").status_code == 200


def test_unknown_pages_get_a_chinese_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.parametrize(("account", "landing"), [("clerk_chezhan", "/station/"), ("officer", "/admin/")])
def test_after_login_clerks_land_at_their_station_and_officers_in_the_admin(client, demo_network, account, landing):
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username=account))
    assert client.get("/staff/")["Location"] == landing


def test_the_staff_landing_asks_an_anonymous_visitor_to_log_in(client, db):
    assert client.get("/staff/")["Location"].startswith("/accounts/login/")
