import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("large", [False, True], ids=["standard", "large"])
def test_home_page_fits_the_screen_and_passes_axe(page_at, live_server, viewport, large):
    page = page_at(viewport, large=large)
    page.goto(live_server.url + "/")
    screenshot(page, f"home-{viewport}-{'large' if large else 'standard'}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], "the page scrolls sideways"
    assert axe_violations(page) == []


def test_large_mode_is_at_least_one_and_a_half_times_larger(page_at, live_server):
    sizes = {}
    for large in (False, True):
        page = page_at("phone", large=large)
        page.goto(live_server.url + "/")
        sizes[large] = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    assert sizes[True] >= 1.5 * sizes[False]


def test_the_large_text_switch_works_by_keyboard_alone(page_at, live_server):
    page = page_at("desktop")
    page.goto(live_server.url + "/")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "大字版":
            break
    else:
        pytest.fail("the 大字版 switch is not reachable by Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.classList.contains('display-large')")


def test_a_clerk_logs_in_and_sees_the_station(page_at, live_server, clerk_chezhan):
    page = page_at("phone")
    page.goto(live_server.url + "/station/")
    page.get_by_label("用户名").fill("clerk_chezhan")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert "请输入一个正确的" in page.content() or "正确的用户名和密码" in page.content()
    screenshot(page, "login-error-phone")
    page.get_by_label("密码").fill("portal-demo-2022")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/station/")
    assert "车站街道医保工作站" in page.content()
    screenshot(page, "station-home-phone")
    assert axe_violations(page) == []
