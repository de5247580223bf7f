"""Staff sign-in: lockout by username and address together, the officers' unlock, the second
factor (TOTP) that officers must pass for the admin, idle sessions, password rules."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import binding_codes
from portal.network.demo import DEMO_PASSWORD, DEMO_TOTP_KEY
from tests.logins import force_login_password_only

pytestmark = pytest.mark.django_db

STATION = "10.20.30.40"  # the township's NAT address, shared by its clerks
LIMIT = settings.AXES_FAILURE_LIMIT
AFTER_LOGIN = resolve_url(settings.LOGIN_REDIRECT_URL)


def log_in(client, username, password, address=STATION, *, forwarded_for=None, next_url=None):
    data = {"username": username, "password": password, **({"next": next_url} if next_url else {})}
    meta = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post("/accounts/login/", data, REMOTE_ADDR=address, **meta)


def fail(client, username, times, address=STATION):
    for _ in range(times):
        response = log_in(client, username, "wrong-password", address)
    return response


def code_for(key_hex: str, *, drift: int = 0) -> str:
    return f"{totp(bytes.fromhex(key_hex), drift=drift):06d}"


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


# -- Lockout ------------------------------------------------------------------------------------

def test_below_the_limit_a_wrong_password_shows_the_form_again(client, clerk_chezhan):
    response = fail(client, "clerk_chezhan", LIMIT - 1)
    assert response.status_code == 200
    assert log_in(client, "clerk_chezhan", DEMO_PASSWORD).status_code == 302


def test_at_the_limit_even_the_right_password_is_refused_with_when_and_whom(client, clerk_chezhan):
    response = fail(client, "clerk_chezhan", LIMIT)
    assert response.status_code == 429
    response = log_in(client, "clerk_chezhan", DEMO_PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429 and logged_in_user_id(client) is None
    assert "登录已暂时锁定" in page and "以后再试" in page and "系统管理员" in page
    ends = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    assert ends.strftime("%H:%M") in page or (ends - timedelta(minutes=1)).strftime("%H:%M") in page
    assert 0 < int(response["Retry-After"]) <= settings.AXES_COOLOFF_TIME.total_seconds()


def test_a_lock_shuts_out_neither_the_other_clerks_of_the_address_nor_the_user_elsewhere(client, clerk_chezhan, clerk_other):
    fail(client, "clerk_chezhan", LIMIT)
    assert log_in(client, "clerk_other", DEMO_PASSWORD).status_code == 302  # same NAT address
    client.logout()
    assert log_in(client, "clerk_chezhan", DEMO_PASSWORD, address="10.99.0.7").status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_lock(client, clerk_chezhan, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    fail(client, "clerk_chezhan", LIMIT)
    response = log_in(client, "clerk_chezhan", DEMO_PASSWORD, forwarded_for="1.2.3.4")
    assert response.status_code == 429


def test_behind_the_trusted_proxy_the_lock_is_on_the_forwarded_client_address(client, clerk_chezhan, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    for _ in range(LIMIT):
        log_in(client, "clerk_chezhan", "wrong", address="10.0.0.2", forwarded_for="172.16.5.5")
    assert AccessAttempt.objects.get().ip_address == "172.16.5.5"
    refused = log_in(client, "clerk_chezhan", DEMO_PASSWORD, address="10.0.0.2", forwarded_for="172.16.5.5")
    assert refused.status_code == 429
    other_station = log_in(client, "clerk_chezhan", DEMO_PASSWORD, address="10.0.0.2", forwarded_for="172.16.9.9")
    assert other_station.status_code == 302


def test_the_lock_lifts_by_itself_after_the_cool_off(client, clerk_chezhan):
    fail(client, "clerk_chezhan", LIMIT)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert log_in(client, "clerk_chezhan", DEMO_PASSWORD).status_code == 302


def test_a_success_forgets_the_earlier_failures(client, clerk_chezhan):
    fail(client, "clerk_chezhan", LIMIT - 1)
    log_in(client, "clerk_chezhan", DEMO_PASSWORD)
    client.logout()
    assert fail(client, "clerk_chezhan", LIMIT - 1).status_code == 200


# -- The officers' unlock -----------------------------------------------------------------------

def test_an_officer_lifts_a_lock_and_the_clerk_signs_in_again(client, clerk_chezhan, officer):
    fail(client, "clerk_chezhan", LIMIT)
    client.force_login(officer)
    page = client.get("/accounts/lockouts/").content.decode()
    assert "clerk_chezhan" in page and STATION in page
    attempt = AccessAttempt.objects.get(username="clerk_chezhan")
    response = client.post("/accounts/lockouts/", {"attempt": attempt.pk}, follow=True)
    assert "已解除账号 clerk_chezhan" in response.content.decode()
    assert not AccessAttempt.objects.exists()
    client.logout()
    assert log_in(client, "clerk_chezhan", DEMO_PASSWORD).status_code == 302


def test_the_unlock_is_in_the_access_log(client, clerk_chezhan, officer):
    from portal.privacy.models import AccessLogEntry

    fail(client, "clerk_chezhan", LIMIT)
    client.force_login(officer)
    client.post("/accounts/lockouts/", {"attempt": AccessAttempt.objects.get().pk})
    entry = AccessLogEntry.objects.get(action="unlock_login")
    assert entry.user == officer and "clerk_chezhan" in entry.detail and STATION in entry.detail


def test_an_officer_sees_and_lifts_only_the_locks_of_accounts_in_their_scope(client, clerk_chezhan, clerk_other):
    from django.contrib.auth.models import User

    from portal.network.models import Region
    from tests.factories import staff_user

    fail(client, "clerk_chezhan", LIMIT)  # 车站街道, 张店区
    fail(client, "officer", LIMIT)  # the city's officer
    fail(client, "nobody_at_all", LIMIT)  # no account
    User.objects.create_superuser("root_locked", password="x")
    fail(client, "root_locked", LIMIT)
    zhangdian = staff_user(role="officer", scope=Region.objects.get(code="370303000000"), username="o_zd_locks")
    zichuan = staff_user(role="officer", scope=Region.objects.get(code="370302000000"), username="o_zc_locks")
    client.force_login(zhangdian)
    page = client.get("/accounts/lockouts/").content.decode()
    assert "clerk_chezhan" in page and "root_locked" not in page and "nobody_at_all" not in page
    assert "<td>officer</td>" not in page and "<td>clerk_chezhan</td>" in page
    for username in ("officer", "root_locked", "nobody_at_all"):
        client.post("/accounts/lockouts/", {"attempt": AccessAttempt.objects.get(username=username).pk})
    assert AccessAttempt.objects.count() == 4
    client.force_login(zichuan)
    client.post("/accounts/lockouts/", {"attempt": AccessAttempt.objects.get(username="clerk_chezhan").pk})
    assert AccessAttempt.objects.filter(username="clerk_chezhan").exists()


@pytest.mark.parametrize("value", ["", "abc", "99999", "1 OR 1=1", "-1"])
def test_an_unlock_of_nothing_changes_nothing(client, clerk_chezhan, officer, value):
    fail(client, "clerk_chezhan", LIMIT)
    client.force_login(officer)
    response = client.post("/accounts/lockouts/", {"attempt": value}, follow=True)
    assert response.status_code == 200 and "已经解除、已过期" in response.content.decode()
    assert AccessAttempt.objects.count() == 1


def test_clerks_and_visitors_cannot_lift_locks(client, clerk_chezhan, clerk_other):
    fail(client, "clerk_chezhan", LIMIT, address="10.1.1.1")
    attempt = AccessAttempt.objects.get()
    assert client.post("/accounts/lockouts/", {"attempt": attempt.pk}, follow=True).redirect_chain[-1][0].startswith("/accounts/login/")
    client.force_login(clerk_other)
    assert client.post("/accounts/lockouts/", {"attempt": attempt.pk}, follow=True).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


# -- The second factor --------------------------------------------------------------------------

@pytest.fixture
def no_code_throttle(settings):
    # django-otp makes a user wait 1 s, 2 s, 4 s ... after each wrong code; these tests send the
    # right code straight after a wrong one.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_an_officer_needs_the_code_after_the_password(client, officer, no_code_throttle):
    response = log_in(client, "officer", DEMO_PASSWORD, next_url="/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/code/?next=%2Fadmin%2F"
    assert logged_in_user_id(client) is None  # the password alone signs nobody in
    assert client.get("/admin/").status_code == 302

    wrong = client.post("/accounts/login/code/", {"code": code_for(DEMO_TOTP_KEY, drift=-5), "next": "/admin/"})
    assert wrong.status_code == 200 and "验证码不对或已过期" in wrong.content.decode()
    assert logged_in_user_id(client) is None

    right = client.post("/accounts/login/code/", {"code": code_for(DEMO_TOTP_KEY), "next": "/admin/"})
    assert right.status_code == 302 and right["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("value", ["", "12345", "1234567", "abcdef", "１２３４５６", "<script>"])
def test_a_code_that_is_not_six_digits_is_refused_in_chinese(client, officer, value):
    log_in(client, "officer", DEMO_PASSWORD)
    response = client.post("/accounts/login/code/", {"code": value})
    assert response.status_code == 200 and "6 位数字" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_right_after_a_wrong_code_the_user_is_asked_to_wait(client, officer):
    log_in(client, "officer", DEMO_PASSWORD)
    client.post("/accounts/login/code/", {"code": code_for(DEMO_TOTP_KEY, drift=-5)})
    response = client.post("/accounts/login/code/", {"code": code_for(DEMO_TOTP_KEY)})
    assert "秒后再输入" in response.content.decode() and logged_in_user_id(client) is None


def test_wrong_codes_count_towards_the_lockout(client, officer, no_code_throttle):
    log_in(client, "officer", DEMO_PASSWORD)
    for _ in range(LIMIT):
        response = client.post("/accounts/login/code/", {"code": code_for(DEMO_TOTP_KEY, drift=-5)})
    assert response.status_code == 429
    refused = client.post("/accounts/login/code/", {"code": code_for(DEMO_TOTP_KEY)})
    assert refused.status_code == 429 and logged_in_user_id(client) is None


def test_the_code_page_without_a_password_first_sends_to_the_login(client, officer):
    response = client.post("/accounts/login/code/", {"code": code_for(DEMO_TOTP_KEY)})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert logged_in_user_id(client) is None


def test_a_half_finished_sign_in_goes_stale(client, officer):
    log_in(client, "officer", DEMO_PASSWORD)
    session = client.session
    session["two_factor_pending"]["at"] -= 6 * 60
    session.save()
    response = client.post("/accounts/login/code/", {"code": code_for(DEMO_TOTP_KEY)})
    assert response.status_code == 302 and logged_in_user_id(client) is None


def test_a_session_with_the_password_only_does_not_open_the_admin(client, officer):
    force_login_password_only(client, officer)
    assert client.get("/admin/").status_code == 302
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"] == "/accounts/login/code/?next=%2Fadmin%2F"
    client.post("/accounts/login/code/", {"code": code_for(DEMO_TOTP_KEY)})
    assert client.get("/admin/").status_code == 200


def test_an_officer_without_an_authenticator_adds_one_before_the_admin(client, officer, no_code_throttle):
    TOTPDevice.objects.filter(user=officer).delete()
    response = log_in(client, "officer", DEMO_PASSWORD, next_url="/admin/")
    assert response["Location"] == "/accounts/two-factor/?next=%2Fadmin%2F"
    assert client.get("/admin/", follow=True).redirect_chain[-1][0].startswith("/accounts/two-factor/")

    page = client.get("/accounts/two-factor/?next=/admin/").content.decode()
    assert "必须启用身份验证器" in page and "绑定码" in page and "<svg" not in page
    code = binding_codes.issue(officer)
    response = client.post("/accounts/two-factor/", {"binding_code": code, "next": "/admin/"})
    assert response["Location"] == "/accounts/two-factor/?next=%2Fadmin%2F"
    page = client.get("/accounts/two-factor/?next=/admin/").content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed
    assert client.get("/accounts/two-factor/").status_code == 200
    assert TOTPDevice.objects.filter(user=officer).count() == 1  # a reload shows the same key

    assert client.post("/accounts/two-factor/", {"code": "000000"}).status_code == 200
    assert client.get("/admin/").status_code == 302
    response = client.post("/accounts/two-factor/", {"code": code_for(device.key), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_a_clerk_may_add_an_authenticator_and_then_signs_in_with_it(client, clerk_chezhan):
    client.force_login(clerk_chezhan)
    page = client.get("/accounts/two-factor/").content.decode()
    assert "经办人员可以自愿启用" in page
    device = TOTPDevice.objects.get(user=clerk_chezhan)
    client.post("/accounts/two-factor/", {"code": code_for(device.key)})
    client.logout()

    assert log_in(client, "clerk_chezhan", DEMO_PASSWORD)["Location"].startswith("/accounts/login/code/")
    assert logged_in_user_id(client) is None
    # django-otp refuses a code twice in one 30-second step (replay); the next step's code is
    # what the app shows a moment later, and within the tolerance of one step.
    response = client.post("/accounts/login/code/", {"code": code_for(device.key, drift=1)})
    assert response["Location"] == AFTER_LOGIN
    assert client.get("/station/").status_code == 200


def test_a_clerk_without_an_authenticator_signs_in_with_the_password(client, clerk_chezhan):
    assert log_in(client, "clerk_chezhan", DEMO_PASSWORD)["Location"] == AFTER_LOGIN


def test_the_demo_gives_both_demo_officers_the_documented_authenticator(demo):
    from assistance.demo import load

    load()
    keys = TOTPDevice.objects.filter(user__username__in=["officer", "officer_county"], confirmed=True)
    assert sorted(device.user.username for device in keys) == ["officer", "officer_county"]
    assert {device.key for device in keys} == {DEMO_TOTP_KEY}
    assert DEMO_TOTP_KEY == "48656c6c6f21deadbeef48656c6c6f21deadbeef"  # README: JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP


# -- Sessions and passwords ---------------------------------------------------------------------

def test_staff_sessions_end_with_the_browser_and_after_30_idle_minutes(client, clerk_chezhan):
    response = log_in(client, "clerk_chezhan", DEMO_PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and not cookie["expires"] and not cookie["max-age"]  # ends with the browser

    client.get("/station/")
    session = Session.objects.get(pk=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)  # renewed by each request

    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/station/")["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("password", ["portal123", "12345678901", "password123", "clerk_chezhan1"])
def test_weak_passwords_are_refused(clerk_chezhan, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=clerk_chezhan)


def test_a_long_uncommon_password_is_accepted(clerk_chezhan):
    validate_password("淄博车站-经办-2022-春", user=clerk_chezhan)


def test_a_username_of_thousands_of_characters_is_refused_without_an_error(client, demo_network):
    response = client.post("/accounts/login/", {"username": "甲" * 5000, "password": "wrong-password-123"})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
