"""Officer sign-in in a real browser under the Content Security Policy: password, code, admin;
the authenticator setup page; the lockout message. No page may trip the policy."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import binding_codes
from portal.network.demo import DEMO_PASSWORD, DEMO_TOTP_KEY
from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def watch_policy(page) -> list[str]:
    """Messages of the browser refusing something under the Content Security Policy."""
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    return refused


def sign_in(page, live_server, username: str, password: str = DEMO_PASSWORD, next_url: str = "/admin/"):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def enter_code(page) -> None:
    page.get_by_label("动态验证码").fill(f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}")
    page.get_by_role("button", name="确认登录").click()
    page.wait_for_url("**/admin/")


def test_an_officer_signs_in_with_the_code_and_reaches_the_admin(page_at, live_server, officer):
    page = page_at("desktop")
    refused = watch_policy(page)
    sign_in(page, live_server, "officer")
    page.wait_for_url("**/accounts/login/code/**")
    screenshot(page, "login-code-desktop")
    assert axe_violations(page) == []
    enter_code(page)
    assert "管理首页" in page.content()
    page.goto(f"{live_server.url}/admin/enrollment/contributionstandard/add/")
    assert refused == []


def test_an_officer_without_an_authenticator_sees_the_qr_code(page_at, live_server, officer):
    TOTPDevice.objects.filter(user=officer).delete()
    page = page_at("phone")
    refused = watch_policy(page)
    sign_in(page, live_server, "officer")
    page.wait_for_url("**/accounts/two-factor/**")
    assert page.locator("svg.otp-qr").count() == 0
    screenshot(page, "two-factor-binding-code-phone")
    assert axe_violations(page) == []
    page.get_by_label("绑定码").fill(binding_codes.shown(binding_codes.issue(officer)))
    page.get_by_role("button", name="下一步").click()
    assert page.locator("svg.otp-qr").is_visible()
    screenshot(page, "two-factor-setup-phone")
    assert axe_violations(page) == []
    assert refused == []


def test_a_locked_out_clerk_is_told_when_to_try_again(page_at, live_server, clerk_chezhan, settings):
    page = page_at("phone")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(page, live_server, "clerk_chezhan", "wrong-password", next_url="/station/")
    alert = page.get_by_role("alert")
    assert "登录已暂时锁定" in alert.text_content() and "以后再试" in alert.text_content()
    screenshot(page, "login-locked-phone")
    assert axe_violations(page) == []


def test_the_export_pages_select_all_box_works_under_the_policy(page_at, live_server, officer):
    """import-export wires the box with an inline handler, which the policy refuses to run (the
    browser still reports that refusal when it reads the page); portal/spreadsheets/admin_forms.py binds the
    same handler from a static script."""
    page = page_at("desktop")
    sign_in(page, live_server, "officer")
    enter_code(page)
    page.goto(f"{live_server.url}/admin/portal/region/export/")
    fields = page.locator(".selectable-field-export-row input[type=checkbox]:visible")
    assert fields.count() >= 2 and all(box.is_checked() for box in fields.all())
    page.get_by_label("全选").first.click()  # the label too toggles the box
    assert not any(box.is_checked() for box in fields.all())
    page.locator("input.select-toggle").first.click()
    assert all(box.is_checked() for box in fields.all())
