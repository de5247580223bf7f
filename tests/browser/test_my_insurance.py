"""我的医保 in headless Chromium at phone width, each walk in the standard display and in 大字版:
signing in with the code the console backend prints, reading one's years, care, household and
assistance, a 参保证明 downloaded and checked by a stranger, an 异地就医备案 filed and cancelled,
and the sign-in's refusals. Every page visited fits 375 px, passes axe-core (the enhanced 7:1
contrast too in 大字版) and trips nothing in the Content Security Policy."""

import logging
import re
from urllib.parse import urlencode

import pytest
from pypdf import PdfReader

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_logins import watch_policy

pytestmark = pytest.mark.django_db(transaction=True)

WANG = ("王秀兰", "370303195203151223")
MODES = pytest.mark.parametrize("large", [False, True], ids=["standard", "large"])
CODE_IN_MESSAGE = re.compile(r"验证码是 ([0-9]{6})")
VERIFY_URL = re.compile(r"https?://[!-~]+?/verify/proof/[!-~]+?/")


@pytest.fixture
def sent_codes(settings, caplog):
    """The sign-in codes the console backend logs, as a developer reads them in `make run`'s
    console: sent_codes() -> the codes so far, oldest first."""
    # The test run's default is the memory backend (tests/conftest.py); this walk reads the console.
    settings.NOTIFICATION_BACKEND = "portal.shared.notifications.ConsoleBackend"
    caplog.set_level(logging.INFO, logger="portal.shared.notifications")

    def codes() -> list[str]:
        return [match[1] for record in caplog.records if (match := CODE_IN_MESSAGE.search(record.getMessage()))]

    return codes


@pytest.fixture
def wang_last_four(demo) -> str:
    """The last four digits of 王秀兰's phone on record, as she knows them."""
    from enrollment.models import Resident
    from my_insurance.signin.rules import mobile_number

    return mobile_number(Resident.objects.get(name=WANG[0]).phone)[-4:]


@pytest.fixture
def her_care(demo, demo_policies):
    """Her settlements of 2022, her 低保 identity and her filing (the assistance and treatment demos)."""
    from assistance.demo import load as assistance_load
    from treatment.demo import load as treatment_load

    assistance_load()
    treatment_load()


def check(page, name: str, large: bool) -> None:
    """Screenshot; no sideways scrolling at 375 px; no serious or critical axe-core violation,
    and in 大字版 none of the enhanced contrast."""
    screenshot(page, f"my-{name}-phone-{'large' if large else 'standard'}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} scrolls sideways ({width}px)"
    assert axe_violations(page, enhanced_contrast=large) == [], name


def main_text(page) -> str:
    return page.locator("main").inner_text()


def press(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def ask_for_code(page, name: str, id_number: str, last_four: str) -> None:
    """Fill the sign-in page the browser is on and ask for a code."""
    page.get_by_label("姓名").fill(name)
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label("手机号后四位").fill(last_four)
    press(page, "获取短信验证码")


def sign_in(page, server, sent_codes, last_four: str) -> None:
    """Sign in as 王秀兰 from the sign-in page, with the code the console printed."""
    page.goto(f"{server.url}/my/sign-in/")
    ask_for_code(page, *WANG, last_four)
    page.get_by_label("短信验证码").fill(sent_codes()[-1])
    press(page, "登录")
    page.wait_for_url("**/my/")


def go_to(page, link: str, url: str) -> None:
    """Follow one of 我的医保's own links."""
    page.get_by_role("navigation", name="我的医保").get_by_role("link", name=link, exact=True).click()
    page.wait_for_url(url)


@MODES
def test_from_the_home_page_she_signs_in_with_the_code_and_reads_her_insurance(
        page_at, live_server, her_care, sent_codes, wang_last_four, large):
    page = page_at("phone", large=large)
    refused = watch_policy(page)
    page.goto(live_server.url + "/")
    page.locator(".service-tile", has_text="我的医保").click()
    page.wait_for_url(re.compile(r"/my/sign-in/\?next=%2Fmy%2F$"))
    check(page, "sign-in", large)
    ask_for_code(page, *WANG, wang_last_four)
    assert f"尾号 {wang_last_four} 的手机" in main_text(page)
    check(page, "code", large)
    [code] = sent_codes()
    page.get_by_label("短信验证码").fill(code)
    press(page, "登录")
    page.wait_for_url(f"{live_server.url}/my/")
    text = main_text(page)
    assert "您好，王*兰（370303********1223）" in text and WANG[1] not in page.content()
    years = page.locator(".year-list > li")
    assert years.count() >= 2 and all(re.match(r"20[0-9]{2} 年度", year) for year in years.all_inner_texts())
    paid = years.filter(has_text="2022 年度").inner_text()  # her 低保 year of the test demo
    assert "资助\n200.00 元" in paid and "个人缴 210.00 元" in paid and "2022年1月1日 至 2022年12月31日" in paid
    check(page, "home", large)

    go_to(page, "看病报销", "**/my/care/")
    page.get_by_role("navigation", name="选择年度").get_by_role("link", name="2022 年度").click()
    page.wait_for_url(re.compile(r"/my/care/\?year=2022$"))
    totals = page.locator("section", has=page.locator("#totals-heading")).inner_text()
    assert "共报销 142287.50 元" in totals and "医疗总费用\n160180.00 元" in totals
    standing = page.locator(".standing-row", has_text="基本医保年度封顶线").inner_text()
    assert "还能支付 110000.00 元" in standing
    check(page, "care-2022", large)

    go_to(page, "家庭成员", "**/my/household/")
    members = page.locator(".card-body h2").all_inner_texts()
    assert "王*兰（本人）" in members and len(members) >= 2
    assert all("*" in member for member in members)
    assert not re.search(r"[0-9]{17}[0-9X]", main_text(page))
    check(page, "household", large)

    go_to(page, "救助与认定", "**/my/assistance/")
    identities = page.locator("section", has=page.locator("#identities-heading")).inner_text()
    assert "低保对象：" in identities
    check(page, "assistance", large)
    assert refused == []


@MODES
def test_she_downloads_a_proof_and_a_stranger_checks_it_by_its_address(
        page_at, browser, live_server, demo, sent_codes, wang_last_four, tmp_path, large):
    year = 2022  # enrolled and paid in the test demo (tests/demo.py)
    page = page_at("phone", large=large)
    refused = watch_policy(page)
    sign_in(page, live_server, sent_codes, wang_last_four)
    go_to(page, "参保证明", "**/my/proof/")
    check(page, "proofs", large)
    page.get_by_label(f"{year} 年度").check()
    press(page, "开具参保证明")
    page.wait_for_url("**/my/proof/*/")
    proof = page.locator("article.proof").inner_text()
    # A proof names her in full, as a school asks; her ID number is masked as everywhere.
    assert "兹证明 王秀兰" in proof and "370303********1223" in proof and f"{year} 年度" in proof
    assert page.locator(".receipt-qr svg").is_visible()
    shown_url = VERIFY_URL.search(re.sub(r"\s", "", proof))[0]
    check(page, "proof", large)

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    pdf = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf)
    assert pdf.suffix == ".pdf"
    pdf_text = "".join(sheet.extract_text() for sheet in PdfReader(pdf).pages)
    assert "参保证明" in pdf_text and "370303********1223" in pdf_text and WANG[1] not in pdf_text
    # The address may break across lines of the PDF's text; it is one run of ASCII characters.
    verify_url = VERIFY_URL.search(re.sub(r"\s", "", pdf_text))[0]
    assert verify_url == shown_url

    stranger = browser.new_context(viewport=page.viewport_size, locale="zh-CN")
    try:
        if large:
            stranger.add_cookies([{"name": "display", "value": "large", "url": live_server.url}])
        check_page = stranger.new_page()
        check_page.goto(verify_url)
        verdict = main_text(check_page)
        assert "证明有效" in verdict and "参保人 王*兰" in verdict and f"{year} 年度\t有效" in verdict
        assert "370303" not in verdict and "王秀兰" not in verdict
        check(check_page, "proof-verify", large)
    finally:
        stranger.close()
    assert refused == []


@MODES
def test_she_files_for_beijing_online_and_cancels_it(page_at, live_server, demo, sent_codes, wang_last_four,
                                                     large):
    page = page_at("phone", large=large)
    refused = watch_policy(page)
    sign_in(page, live_server, sent_codes, wang_last_four)
    go_to(page, "异地就医备案", "**/my/filings/")
    page.get_by_role("link", name="网上办理异地就医备案").click()
    page.wait_for_url("**/my/filings/new/")
    page.get_by_label("其他临时外出就医").check()
    page.get_by_label("就医省份").select_option("北京市")
    page.get_by_label("就医城市").fill("北京市")
    check(page, "filing-new", large)
    press(page, "提交备案")
    page.wait_for_url("**/my/filings/")
    card = page.locator(".filing-card", has_text="北京市")
    assert "其他临时外出就医 · 北京市" in card.inner_text() and "有效" in card.inner_text()
    number = re.search(r"备案编号\s+(\S+)", card.inner_text())[1]
    assert f"编号 {number}" in main_text(page)  # the message that it is done
    check(page, "filings", large)

    card.get_by_role("link", name=re.compile(r"^撤销")).click()
    page.wait_for_url("**/my/filings/*/cancel/")
    check(page, "filing-cancel", large)
    press(page, "确认撤销备案")
    page.wait_for_url("**/my/filings/")
    assert f"备案 {number} 已撤销" in main_text(page)
    card = page.locator(".filing-card", has_text=number)
    assert "已撤销" in card.inner_text() and "本人网上撤销" in card.inner_text()
    assert card.get_by_role("link", name=re.compile(r"^撤销")).count() == 0
    check(page, "filing-cancelled", large)
    assert refused == []


@MODES
def test_a_wrong_code_says_how_many_tries_are_left(page_at, live_server, demo, sent_codes, wang_last_four, large):
    page = page_at("phone", large=large)
    refused = watch_policy(page)
    page.goto(f"{live_server.url}/my/sign-in/")
    ask_for_code(page, *WANG, wang_last_four)
    [code] = sent_codes()
    page.get_by_label("短信验证码").fill(f"{(int(code) + 1) % 1_000_000:06d}")
    press(page, "登录")
    assert "验证码不正确，请核对短信后重新输入。还可以再试 4 次。" in page.get_by_role("alert").inner_text()
    check(page, "code-wrong", large)
    page.get_by_label("短信验证码").fill(code)
    press(page, "登录")
    page.wait_for_url(f"{live_server.url}/my/")
    assert refused == []


@MODES
def test_my_insurance_asks_a_stranger_to_sign_in_first(page_at, live_server, demo, large):
    page = page_at("phone", large=large)
    for path in ("/my/", "/my/care/", "/my/proof/", "/my/filings/new/"):
        page.goto(live_server.url + path)
        assert page.url == f"{live_server.url}/my/sign-in/?{urlencode({'next': path})}"
        assert page.get_by_role("heading", level=1).inner_text() == "登录我的医保"


@MODES
def test_a_mistyped_sign_in_says_in_chinese_what_to_fix_beside_each_field(page_at, live_server, demo, sent_codes,
                                                                         large):
    page = page_at("phone", large=large)
    refused = watch_policy(page)
    page.goto(f"{live_server.url}/my/sign-in/")
    press(page, "获取短信验证码")
    assert "请填写" in page.locator("#div_id_name").inner_text()
    assert "请填写" in page.locator("#div_id_id_number").inner_text()
    assert "请填写手机号的后 4 位数字。" in page.locator("#div_id_phone_last_four").inner_text()
    check(page, "sign-in-empty", large)

    ask_for_code(page, WANG[0], "370303195203151224", "51a2")
    assert "校验位不符" in page.locator("#div_id_id_number").inner_text()
    assert "请填写手机号的后 4 位数字，例如 1234。" in page.locator("#div_id_phone_last_four").inner_text()
    assert page.get_by_label("身份证号").input_value() == ""  # a full number is never written back
    check(page, "sign-in-mistyped", large)
    assert sent_codes() == [] and refused == []
