"""今年交多少钱 (/premium/): the amounts of the premium rules, chosen step by step with GET."""

import re
from datetime import date

import pytest
from django.utils import timezone

from enrollment.models import ContributionStandard

pytestmark = pytest.mark.django_db

HUAGUANG = "370303001001"


@pytest.fixture
def today(monkeypatch):
    """today(date): pretend the page is opened on that day."""

    def set_today(day: date) -> date:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        return day

    return set_today


def main_text(response) -> str:
    assert response.status_code == 200
    main = re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"</?span[^>]*>", "", main)))


def premium_page(client, **params):
    return main_text(client.get("/premium/", params))


def test_the_page_starts_at_the_only_city_and_already_shows_the_years_amount(client, demo, on_2022_window):
    page = premium_page(client)
    assert "2022 年度 · 成年居民" in page and "个人要交 410.00 元" in page
    assert "选到乡镇(街道)和村(社区)，这里会显示就近的缴费地点。" in page


def test_choosing_down_to_the_village_shows_where_to_pay(client, demo, on_2022_window):
    page = premium_page(client, county="370303000000")
    assert "请选择乡镇(街道)" in page
    page = premium_page(client, county="370303000000", township="370303001000", village=HUAGUANG)
    assert "您的村(社区)医保服务点 华光路社区医保服务点" in page
    assert "您的乡镇(街道)医保工作站 车站街道医保工作站" in page


@pytest.mark.parametrize(
    ("category", "assistance"),
    [("adult", ""), ("student_child", ""), ("adult", "extreme_poverty"), ("adult", "minimum_living"),
     ("student_child", "low_income_edge")],
)
def test_the_page_charges_what_the_api_charges(client, demo, on_2022_window, category, assistance):
    api = client.get("/api/v1/premium", {"year": 2022, "region": HUAGUANG, "category": category,
                                         "assistance": assistance, "date": on_2022_window.isoformat()}).json()
    page = premium_page(client, region=HUAGUANG, category=category, assistance=assistance, year=2022)
    assert f"个人要交 {api['payable']} 元" in page
    assert f"个人缴费标准 {api['standard']} 元" in page
    if assistance:
        assert f"医疗救助资金代缴 {api['subsidy']} 元" in page


def test_a_fully_subsidised_resident_is_told_they_pay_nothing(client, demo, on_2022_window):
    page = premium_page(client, region=HUAGUANG, assistance="extreme_poverty")
    assert "个人要交 0.00 元 （个人不用交钱）" in page


def test_the_window_coverage_and_late_consequences_come_from_the_standard(client, demo, on_2022_window):
    page = premium_page(client, region=HUAGUANG)
    assert "集中缴费期 2021年9月1日 至 2021年12月31日 （正在缴费，今天是 10月15日）" in page
    assert "从哪天起能报销 2022年1月1日 至 2022年12月31日" in page
    assert "另交 610.00 元" in page and "要等 90 天" in page
    assert "个人要交 1020.00 元，2022年4月1日 起才能报销" in page  # registering on 2022-01-01


def test_after_the_window_the_amount_includes_the_fiscal_subsidy_and_the_wait(client, demo, today):
    today(date(2022, 1, 10))
    page = premium_page(client, region=HUAGUANG, year=2022)
    assert "个人要交 1020.00 元" in page
    assert "2022 年度集中缴费期已于 2021年12月31日 结束。" in page
    assert "从哪天起能报销 2022年4月10日 至 2022年12月31日" in page


def test_before_the_window_opens_the_page_shows_the_amounts_of_the_window(client, demo, today):
    today(date(2021, 8, 15))
    page = premium_page(client, region=HUAGUANG, year=2022)
    assert "个人要交 410.00 元" in page
    assert "（还没开始，9月1日起可以交）" in page
    assert "从哪天起能报销 2022年1月1日" in page


def test_another_published_year_can_be_chosen_and_the_rules_may_refuse_it(client, demo, on_2022_window):
    response = client.get("/premium/", {"region": HUAGUANG})
    assert re.search(r'<option value="2021"', response.content.decode())
    page = premium_page(client, region=HUAGUANG, year=2021)
    assert "2021 年度集中缴费期已于 2020-12-31 结束" in page and "请参加 2022 年度集中缴费" in page


def test_a_year_without_a_published_standard_is_refused_next_to_the_field(client, demo, on_2022_window):
    page = premium_page(client, region=HUAGUANG, year=2030)
    assert "这个年度还没有公布缴费标准，请从列表中选择。" in page
    assert not re.search(r"个人要交 \d", page)


def test_a_tampered_category_is_refused_in_words(client, demo, on_2022_window):
    page = premium_page(client, region=HUAGUANG, category="pensioner")
    assert "请选择“成年居民”或“学生儿童”。" in page
    assert not re.search(r"个人要交 \d", page)


def test_without_any_published_standard_the_page_says_so(client, demo_network):
    ContributionStandard.objects.update(status=ContributionStandard.Status.DRAFT)
    assert "还没有公布缴费标准" in premium_page(client)


def test_the_page_is_built_from_the_current_collection_year_of_the_region(client, demo, today):
    today(date(2021, 8, 15))  # 2022's window has not opened: the year being collected is still 2021
    assert "2021 年度 · 成年居民" in premium_page(client, region=HUAGUANG)


def test_an_anonymous_question_asked_again_is_answered_from_the_cache(
    client, demo, on_2022_window, django_assert_num_queries
):
    first = client.get("/premium/", {"region": "370303001001", "category": "adult"})
    with django_assert_num_queries(0):
        again = client.get("/premium/", {"region": "370303001001", "category": "adult"})
    assert again.content == first.content
    large = client.get("/premium/", {"region": "370303001001", "category": "adult"}, HTTP_COOKIE="display=large")
    assert large.content != first.content  # the display mode is part of the question


def test_a_logged_in_page_is_never_shared(client, demo, on_2022_window, clerk_chezhan):
    client.get("/premium/", {"region": "370303001001", "category": "adult"})
    client.force_login(clerk_chezhan)
    page = client.get("/premium/", {"region": "370303001001", "category": "adult"}).content.decode()
    assert "csrfmiddlewaretoken" in page  # the logout form: built for this user, not from the cache
