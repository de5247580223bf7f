"""绑定码: an officer with no authenticator adds one only with a code another officer issued."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import enrolment_codes
from portal.models import AuthenticatorEnrolment
from tests.conftest import force_login_password_only, otp_login

pytestmark = pytest.mark.django_db

SETUP = "/accounts/two-factor/"


@pytest.fixture
def officer_without_authenticator(client, officer, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    TOTPDevice.objects.filter(user=officer).delete()
    force_login_password_only(client, officer)
    return officer


def code_of(device) -> str:
    return f"{totp(device.bin_key):06d}"


def test_the_password_alone_shows_no_key_and_a_wrong_code_counts_as_a_failed_login(
        client, officer_without_authenticator):
    enrolment_codes.issue(officer_without_authenticator)
    page = client.get(SETUP).content.decode()
    assert 'name="enrolment_code"' in page and "<svg" not in page and "密钥" not in page
    assert not TOTPDevice.objects.filter(user=officer_without_authenticator).exists()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        page = client.post(SETUP, {"enrolment_code": "0000000000"}).content.decode()
        assert "绑定码不对或已失效" in page and "<svg" not in page
    locked = client.post(SETUP, {"enrolment_code": "0000000000"})
    assert "登录已暂时锁定" in locked.content.decode()
    assert not TOTPDevice.objects.filter(user=officer_without_authenticator).exists()


def test_a_right_code_starts_a_new_authenticator_and_is_spent(client, officer_without_authenticator):
    officer = officer_without_authenticator
    # What someone with the password alone might have seen under the old page: a key of its own.
    seen = TOTPDevice.objects.create(user=officer, name="旧的", confirmed=False)
    code = enrolment_codes.issue(officer)
    response = client.post(SETUP, {"enrolment_code": "  " + enrolment_codes.shown(code) + " "})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=officer)
    assert device.pk != seen.pk and device.key != seen.key and not device.confirmed
    assert "<svg" in client.get(SETUP).content.decode()
    assert not AuthenticatorEnrolment.objects.filter(user=officer).exists()
    assert "验证码不对" in client.post(SETUP, {"code": "000000"}).content.decode()
    assert client.post(SETUP, {"code": code_of(device), "next": "/admin/"})["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_full_width_digits_and_dashes_are_read_as_the_code(client, officer_without_authenticator):
    code = enrolment_codes.issue(officer_without_authenticator)
    typed = "-".join([code[:4], code[4:8], code[8:]]).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert client.post(SETUP, {"enrolment_code": typed}).status_code == 302


def test_an_expired_or_replaced_code_is_refused(client, officer_without_authenticator):
    officer = officer_without_authenticator
    old = enrolment_codes.issue(officer)
    new = enrolment_codes.issue(officer)
    assert "绑定码不对或已失效" in client.post(SETUP, {"enrolment_code": old}).content.decode()
    AuthenticatorEnrolment.objects.filter(user=officer).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert "绑定码不对或已失效" in client.post(SETUP, {"enrolment_code": new}).content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_another_users_code_does_not_open_this_users_page(client, officer_without_authenticator, clerk_chezhan):
    code = enrolment_codes.issue(clerk_chezhan)
    assert "绑定码不对或已失效" in client.post(SETUP, {"enrolment_code": code}).content.decode()


def test_the_started_authenticator_belongs_to_the_session_that_gave_the_code(client, officer_without_authenticator):
    from django.test import Client

    client.post(SETUP, {"enrolment_code": enrolment_codes.issue(officer_without_authenticator)})
    other = Client()
    force_login_password_only(other, officer_without_authenticator)
    page = other.get(SETUP).content.decode()
    assert 'name="enrolment_code"' in page and "<svg" not in page


def test_a_stale_enrolment_asks_for_a_code_again(client, officer_without_authenticator):
    client.post(SETUP, {"enrolment_code": enrolment_codes.issue(officer_without_authenticator)})
    session = client.session
    session["two_factor_enrolment"]["at"] -= 31 * 60
    session.save()
    assert 'name="enrolment_code"' in client.get(SETUP).content.decode()


def test_a_clerk_adds_an_optional_authenticator_without_a_code(client, clerk_chezhan):
    client.force_login(clerk_chezhan)
    page = client.get(SETUP).content.decode()
    assert "<svg" in page and 'name="enrolment_code"' not in page


def test_the_administrator_issues_codes_in_the_admin_and_only_a_digest_is_kept(client, officer, clerk_chezhan):
    administrator = User.objects.create_superuser("admin_city", password="x-Portal-2026-admin")
    otp_login(client, administrator)
    response = client.post("/admin/auth/user/", {
        "action": "issue_enrolment_codes", "_selected_action": [clerk_chezhan.pk, officer.pk],
    })
    html = response.content.decode()
    assert response.status_code == 200 and "只在本页显示这一次" in html
    codes = re.findall(r'<code class="enrolment-code">(\d{4} \d{4} \d{2})</code>', html)
    assert len(codes) == 2
    stored = AuthenticatorEnrolment.objects.get(user=clerk_chezhan)
    assert stored.issued_by == administrator and codes[0].replace(" ", "") not in stored.digest
    assert enrolment_codes.spend(clerk_chezhan, codes[0]) and not enrolment_codes.spend(clerk_chezhan, codes[0])


def test_an_officer_without_the_right_to_change_users_cannot_issue_codes(client, officer, clerk_chezhan):
    otp_login(client, officer)
    response = client.post("/admin/auth/user/", {"action": "issue_enrolment_codes", "_selected_action": [clerk_chezhan.pk]})
    assert response.status_code == 403
    assert not AuthenticatorEnrolment.objects.exists()


def test_the_command_issues_a_code_for_the_first_officer(officer_without_authenticator, client, capsys):
    call_command("issue_enrolment_code", "officer")
    code = re.search(r"(\d{4} \d{4} \d{2})", capsys.readouterr().out).group(1)
    assert client.post(SETUP, {"enrolment_code": code}).status_code == 302
    with pytest.raises(CommandError, match="没有名为"):
        call_command("issue_enrolment_code", "nobody")
