"""The public site in headless Chromium: each resident task at 375 px and 1280 px, standard and
大字版, with a screenshot of each under test-artifacts/screenshots/ and axe-core on every page."""

from datetime import date

import pytest

from portal.privacy.id_numbers import make_id_number
from portal.web import ratelimit
from tests.browser.conftest import axe_violations, screenshot

WANG = ("王秀兰", "370303195203151223")
# Each test runs in a transaction that is rolled back, as database tests do; the server's pages
# read the demo, which demo_site committed for them.
pytestmark = pytest.mark.django_db

UNKNOWN = make_id_number("370303", date(1980, 1, 1), 901)
MODES = [False, True]


@pytest.fixture
def server(demo_site):
    """Residents' pages only read: one server over the demo serves the whole module."""
    return demo_site


@pytest.fixture
def site(on_2022_window, monkeypatch):
    """On 2021-10-15, with the limiter's clock held still (the server runs in a thread of this
    process, so it reads the same patched clock)."""
    monkeypatch.setattr(ratelimit, "now", lambda: 1_700_000_040.0)


def check(page, name: str, viewport: str, large: bool) -> None:
    """Screenshot, no sideways scrolling, no serious or critical axe violation; in 大字版 also
    the enhanced contrast (7:1) rule."""
    screenshot(page, f"{name}-{viewport}-{'large' if large else 'standard'}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} scrolls sideways ({width}px)"
    assert axe_violations(page, enhanced_contrast=large) == [], name


def submit(page, label: str = "查看") -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=label, exact=True).click()


def lookup(page, server, name: str, number: str) -> None:
    page.goto(server.url + "/lookup/")
    page.locator("#id_name").fill(name)
    page.locator("#id_id_number").fill(number)
    submit(page, "查询")


@pytest.mark.parametrize("large", MODES, ids=["standard", "large"])
def test_home_page_leads_to_every_service(page_at, server, site, viewport, large):
    page = page_at(viewport, large=large)
    page.goto(server.url + "/")
    assert page.locator(".service-tile").count() == 7
    check(page, "public-home", viewport, large)


@pytest.mark.parametrize("large", MODES, ids=["standard", "large"])
def test_finding_my_service_point_step_by_step(page_at, server, site, viewport, large):
    page = page_at(viewport, large=large)
    page.goto(server.url + "/service-points/")
    page.get_by_label("县(区)", exact=True).select_option(label="张店区")
    submit(page, "下一步")
    page.get_by_label("乡镇(街道)", exact=True).select_option(label="车站街道")
    submit(page, "下一步")
    page.get_by_label("村(社区)", exact=True).select_option(label="华光路社区")
    submit(page, "下一步")
    cards = page.locator(".point-card")
    assert "华光路社区医保服务点" in cards.nth(0).inner_text()
    assert "车站街道医保工作站" in cards.nth(1).inner_text()
    check(page, "service-points-found", viewport, large)
    cards.nth(0).get_by_role("link", name="华光路社区医保服务点").click()
    page.wait_for_url("**/service-points/*/")
    assert "车站街道医保工作站" in page.locator("main").inner_text()  # its parent station
    check(page, "service-point-detail", viewport, large)


@pytest.mark.parametrize("large", MODES, ids=["standard", "large"])
def test_premium_for_my_village(page_at, server, site, viewport, large):
    page = page_at(viewport, large=large)
    page.goto(server.url + "/premium/")
    page.get_by_label("县(区)", exact=True).select_option(label="张店区")
    submit(page)
    page.get_by_label("乡镇(街道)", exact=True).select_option(label="车站街道")
    page.get_by_label("学生儿童").check()
    submit(page)
    page.get_by_label("村(社区)", exact=True).select_option(label="华光路社区")
    submit(page)
    main = page.locator("main").inner_text()
    assert "个人要交 310.00 元" in main
    assert "华光路社区医保服务点" in main and "车站街道医保工作站" in main
    check(page, "premium", viewport, large)


@pytest.mark.parametrize("large", MODES, ids=["standard", "large"])
def test_lookup_found(page_at, server, site, viewport, large):
    page = page_at(viewport, large=large)
    lookup(page, server, *WANG)
    main = page.locator("main").inner_text()
    assert "王*兰" in main and "370303********1223" in main and WANG[1] not in page.content()
    assert "可以享受医保待遇" in main
    check(page, "lookup-found", viewport, large)


@pytest.mark.parametrize("large", MODES, ids=["standard", "large"])
def test_lookup_not_found_and_a_mistyped_number(page_at, server, site, viewport, large):
    page = page_at(viewport, large=large)
    lookup(page, server, "王秀兰", UNKNOWN)
    assert "没有查到" in page.locator("main").inner_text()
    check(page, "lookup-not-found", viewport, large)
    page.locator("#id_id_number").fill("370303195203151224")
    submit(page, "查询")
    assert "校验位不符" in page.locator("#div_id_id_number").inner_text()  # next to the field
    check(page, "lookup-invalid", viewport, large)


@pytest.mark.parametrize("large", MODES, ids=["standard", "large"])
def test_lookup_rate_limited(page_at, server, site, viewport, large):
    page = page_at(viewport, large=large)
    for _ in range(5):
        lookup(page, server, "某某", UNKNOWN)
    lookup(page, server, "某某", UNKNOWN)
    assert "操作太频繁" in page.locator("main").inner_text()
    assert "以后再试" in page.locator("main").inner_text()
    check(page, "lookup-rate-limited", viewport, large)


@pytest.mark.parametrize("large", MODES, ids=["standard", "large"])
def test_estimator(page_at, server, site, viewport, large):
    page = page_at(viewport, large=large)
    page.goto(server.url + "/estimate/")
    page.get_by_label("医疗总费用（元）").fill("20000")
    page.get_by_label("政策范围内费用（元）").fill("18000")
    submit(page, "计算")
    assert "测算结果" in page.locator("main").inner_text()
    # What the visitor sees after 计算 is the result, not the top of the form again.
    page.wait_for_load_state("load")
    top = page.locator("#result-title").bounding_box()["y"]
    where = page.evaluate("[location.href, window.scrollY]")
    assert 0 <= top < page.viewport_size["height"], f"the result starts {top:.0f}px down ({where})"
    check(page, "estimator", viewport, large)


@pytest.mark.parametrize("large", MODES, ids=["standard", "large"])
@pytest.mark.parametrize(
    "path", ["/guides/", "/guides/reimbursement_review/", "/notices/", "/service-points/search/?q=车站",
             "/service-points/area/370303000000/"],
)
def test_the_other_public_pages(page_at, server, site, viewport, large, path):
    page = page_at(viewport, large=large)
    page.goto(server.url + path)
    name = "public" + path.split("?")[0].rstrip("/").replace("/", "-")
    check(page, name, viewport, large)


@pytest.mark.parametrize("large", MODES, ids=["standard", "large"])
def test_a_notice_page(page_at, server, site, viewport, large):
    page = page_at(viewport, large=large)
    page.goto(server.url + "/notices/")
    page.get_by_role("link", name="关于做好全省2022年城乡居民基本医疗保障工作的通知").click()
    page.wait_for_url("**/notices/*/")
    assert "要点解读" in page.locator("main").inner_text()
    check(page, "notice-detail", viewport, large)


def test_the_lookup_works_by_keyboard_alone_with_a_visible_focus(page_at, server, site):
    page = page_at("phone")
    page.goto(server.url + "/lookup/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_name":
            break
    else:
        pytest.fail("the name field is not reachable by Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.type(WANG[0])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_id_number"
    page.keyboard.type(WANG[1])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "王*兰" in page.locator("main").inner_text()


def test_the_finder_works_by_keyboard_alone(page_at, server, site):
    page = page_at("desktop")
    page.goto(server.url + "/service-points/")
    page.get_by_label("县(区)", exact=True).focus()
    for _ in range(2):  # 淄川区, then 张店区
        page.keyboard.press("ArrowDown")
    assert page.get_by_label("县(区)", exact=True).input_value() == "370303000000"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "下一步"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_label("乡镇(街道)", exact=True).is_visible()
