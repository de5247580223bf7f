"""绑定码: an officer with no authenticator adds one only with a code a user administrator issued."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import binding_codes
from portal.accounts.models import BindingCode
from portal.network.models import Region
from portal.privacy.models import AccessLogEntry
from tests.factories import staff_user
from tests.logins import force_login_password_only, otp_login

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
    binding_codes.issue(officer_without_authenticator)
    page = client.get(SETUP).content.decode()
    assert 'name="binding_code"' in page and "<svg" not in page and "密钥" not in page
    assert not TOTPDevice.objects.filter(user=officer_without_authenticator).exists()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        page = client.post(SETUP, {"binding_code": "0000000000"}).content.decode()
        assert "绑定码不对或已失效" in page and "<svg" not in page
    locked = client.post(SETUP, {"binding_code": "0000000000"})
    assert "登录已暂时锁定" in locked.content.decode()
    assert not TOTPDevice.objects.filter(user=officer_without_authenticator).exists()


def test_a_right_code_starts_a_new_authenticator_and_is_spent(client, officer_without_authenticator):
    officer = officer_without_authenticator
    # What someone with the password alone might have seen under the old page: a key of its own.
    seen = TOTPDevice.objects.create(user=officer, name="旧的", confirmed=False)
    code = binding_codes.issue(officer)
    response = client.post(SETUP, {"binding_code": "  " + binding_codes.shown(code) + " "})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=officer)
    assert device.pk != seen.pk and device.key != seen.key and not device.confirmed
    assert "<svg" in client.get(SETUP).content.decode()
    assert BindingCode.objects.get(user=officer).spent_at is not None
    assert "验证码不对" in client.post(SETUP, {"code": "000000"}).content.decode()
    assert client.post(SETUP, {"code": code_of(device), "next": "/admin/"})["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    assert not BindingCode.objects.filter(user=officer).exists()
    actions = list(AccessLogEntry.objects.filter(username="officer").values_list("action", flat=True))
    assert "start_authenticator" in actions and "add_authenticator" in actions


def test_the_same_code_again_finds_the_same_authenticator_until_it_is_confirmed(client, officer_without_authenticator):
    """A double click on 下一步, or a second tab: the code is not burnt by its own second use."""
    from django.test import Client

    officer = officer_without_authenticator
    code = binding_codes.issue(officer)
    assert client.post(SETUP, {"binding_code": code}).status_code == 302
    second_tab = Client()
    force_login_password_only(second_tab, officer)
    assert second_tab.post(SETUP, {"binding_code": code}).status_code == 302
    assert TOTPDevice.objects.filter(user=officer).count() == 1
    device = TOTPDevice.objects.get(user=officer)
    assert second_tab.post(SETUP, {"code": code_of(device)}).status_code == 302
    assert "已启用身份验证器" in client.post(SETUP, {"binding_code": code}).content.decode()
    assert not BindingCode.objects.exists()


def test_a_code_is_void_after_five_wrong_tries_however_often_the_password_is_entered(client, officer_without_authenticator):
    officer = officer_without_authenticator
    code = binding_codes.issue(officer)
    for attempt in range(5):  # the number the page and README promise
        force_login_password_only(client, officer)  # a sign-in resets the lockout's count
        page = client.post(SETUP, {"binding_code": "1111111111"}, REMOTE_ADDR=f"10.0.0.{attempt + 1}")
    assert "已经作废" in page.content.decode() and "修改密码" in page.content.decode()
    force_login_password_only(client, officer)
    assert "绑定码不对或已失效" in client.post(SETUP, {"binding_code": code}, REMOTE_ADDR="10.0.0.9").content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_full_width_digits_and_dashes_are_read_as_the_code(client, officer_without_authenticator):
    code = binding_codes.issue(officer_without_authenticator)
    typed = "-".join([code[:4], code[4:8], code[8:]]).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert client.post(SETUP, {"binding_code": typed}).status_code == 302


def test_an_expired_or_replaced_code_is_refused(client, officer_without_authenticator):
    officer = officer_without_authenticator
    old = binding_codes.issue(officer)
    new = binding_codes.issue(officer)
    assert "绑定码不对或已失效" in client.post(SETUP, {"binding_code": old}).content.decode()
    BindingCode.objects.filter(user=officer).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert "绑定码不对或已失效" in client.post(SETUP, {"binding_code": new}).content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_another_users_code_does_not_open_this_users_page(client, officer_without_authenticator, clerk_chezhan):
    code = binding_codes.issue(clerk_chezhan)
    assert "绑定码不对或已失效" in client.post(SETUP, {"binding_code": code}).content.decode()


def test_the_started_authenticator_belongs_to_the_session_that_gave_the_code(client, officer_without_authenticator):
    from django.test import Client

    client.post(SETUP, {"binding_code": binding_codes.issue(officer_without_authenticator)})
    other = Client()
    force_login_password_only(other, officer_without_authenticator)
    page = other.get(SETUP).content.decode()
    assert 'name="binding_code"' in page and "<svg" not in page


def test_a_stale_start_of_adding_asks_for_a_code_again(client, officer_without_authenticator):
    client.post(SETUP, {"binding_code": binding_codes.issue(officer_without_authenticator)})
    session = client.session
    session["two_factor_adding"]["at"] -= 31 * 60
    session.save()
    assert 'name="binding_code"' in client.get(SETUP).content.decode()


def test_a_clerk_adds_an_optional_authenticator_without_a_code(client, clerk_chezhan):
    client.force_login(clerk_chezhan)
    page = client.get(SETUP).content.decode()
    assert "<svg" in page and 'name="binding_code"' not in page


def test_the_administrator_issues_codes_in_the_admin_and_only_a_digest_is_kept(client, officer, clerk_chezhan):
    administrator = User.objects.create_superuser("admin_city", password="x-Portal-2026-admin")
    otp_login(client, administrator)
    officer_county = staff_user(role="officer", scope=Region.objects.get(code="370303000000"), username="officer_b")
    TOTPDevice.objects.create(user=officer_county, name="已有", confirmed=True)
    TOTPDevice.objects.filter(user=officer).delete()
    response = client.post("/admin/auth/user/", {
        "action": "issue_binding_codes", "_selected_action": [clerk_chezhan.pk, officer.pk, officer_county.pk],
    })
    html = response.content.decode()
    assert response.status_code == 200 and "只在本页显示这一次" in html
    codes = re.findall(r'<code class="binding-code">(\d{4} \d{4} \d{2})</code>', html)
    assert len(codes) == 1  # the clerk needs none, officer_county has an authenticator
    assert "clerk_chezhan" in html and "不需要绑定码" in html and "已有身份验证器" in html
    stored = BindingCode.objects.get(user=officer)
    assert stored.issued_by == administrator and codes[0].replace(" ", "") not in stored.digest
    assert BindingCode.objects.count() == 1
    assert AccessLogEntry.objects.filter(username="admin_city", action="issue_binding_code").count() == 1
    outcome, device = binding_codes.start(officer, codes[0], device_name="测试")
    assert outcome is binding_codes.Outcome.STARTED and device.user == officer


def test_a_user_who_may_only_view_users_cannot_issue_codes(client, officer, clerk_chezhan):
    from django.contrib.auth.models import Permission

    officer.user_permissions.add(Permission.objects.get(codename="view_user"))
    otp_login(client, officer)
    assert client.get("/admin/auth/user/").status_code == 200
    response = client.post("/admin/auth/user/", {"action": "issue_binding_codes", "_selected_action": [officer.pk]})
    assert "只在本页显示这一次" not in response.content.decode()
    assert not BindingCode.objects.exists()


def test_the_command_issues_a_code_for_the_first_officer(officer_without_authenticator, client, capsys):
    call_command("issue_binding_code", "officer")
    code = re.search(r"(\d{4} \d{4} \d{2})", capsys.readouterr().out).group(1)
    assert client.post(SETUP, {"binding_code": code}).status_code == 302
    with pytest.raises(CommandError, match="没有名为"):
        call_command("issue_binding_code", "nobody")
    with pytest.raises(CommandError, match="不需要绑定码"):
        call_command("issue_binding_code", "clerk_chezhan")


def test_the_command_replaces_a_lost_authenticator_only_when_asked(officer, capsys):
    with pytest.raises(CommandError, match="已有身份验证器"):
        call_command("issue_binding_code", "officer")
    assert TOTPDevice.objects.filter(user=officer).exists()
    call_command("issue_binding_code", "officer", "--replace")
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert BindingCode.objects.filter(user=officer).exists()
    assert AccessLogEntry.objects.filter(username="manage.py", action="issue_binding_code").exists()


# -- Promotion -----------------------------------------------------------------------------------

@pytest.fixture
def clerk_with_authenticator(clerk_chezhan):
    TOTPDevice.objects.create(user=clerk_chezhan, name="经办人员自行添加", confirmed=True)
    return clerk_chezhan


@pytest.mark.parametrize("promote", ["user.groups.add", "group.user_set.add", "is_staff", "is_superuser"])
def test_a_clerk_made_an_officer_adds_an_authenticator_again_with_a_code(client, clerk_with_authenticator, promote):
    from django.contrib.auth.models import Group

    clerk = clerk_with_authenticator
    officers = Group.objects.get(name="officer")
    if promote == "user.groups.add":
        clerk.groups.add(officers)
    elif promote == "group.user_set.add":
        officers.user_set.add(clerk)
    else:
        setattr(clerk, promote, True)
        clerk.save()
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    force_login_password_only(client, clerk)
    assert 'name="binding_code"' in client.get(SETUP).content.decode()


def test_an_officer_keeps_the_authenticator_through_other_changes(officer, clerk_chezhan):
    from django.contrib.auth.models import Group

    officer.groups.add(Group.objects.get(name="clerk"))
    officer.is_superuser = True
    officer.save()
    officer.last_login = timezone.now()
    officer.save(update_fields=["last_login"])
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    TOTPDevice.objects.create(user=clerk_chezhan, name="经办人员自行添加", confirmed=True)
    clerk_chezhan.first_name = "新名"
    clerk_chezhan.save()
    assert TOTPDevice.objects.filter(user=clerk_chezhan).exists()


def test_a_code_issued_before_the_rename_to_binding_code_still_works(officer_without_authenticator):
    """The digest of a code is keyed with the module's first name; a code an administrator gave
    out the day before a release must start an authenticator the day after."""
    from django.utils.crypto import salted_hmac

    user = officer_without_authenticator
    issued_earlier = salted_hmac("portal.enrolment_codes", f"{user.pk}:4711471147", algorithm="sha256").hexdigest()
    BindingCode.objects.create(user=user, digest=issued_earlier, expires_at=timezone.now() + timedelta(hours=1))
    outcome, device = binding_codes.start(user, "4711471147", device_name="身份验证器")
    assert outcome is binding_codes.Outcome.STARTED and device is not None
