"""我参保了吗 (/lookup/): POST only, masked answers, the same answer for every miss, rate limited."""

import re
from datetime import date

import pytest
from django.db import connection
from django.db.models import Exists
from django.test.utils import CaptureQueriesContext

from enrollment.models import Enrollment, Resident
from portal.privacy.id_numbers import make_id_number
from portal.privacy.id_vault import id_digest
from portal.shared.extensions import LookupSection
from portal.web import ratelimit

pytestmark = pytest.mark.django_db

WANG = {"name": "王秀兰", "id_number": "370303195203151223"}
UNKNOWN_NUMBER = make_id_number("370303", date(1980, 1, 1), 901)


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock, at the start of a window; clock.step(s) moves it on."""
    state = {"now": 1_700_000_040.0}
    monkeypatch.setattr(ratelimit, "now", lambda: state["now"])

    class Clock:
        def step(self, seconds: float) -> None:
            state["now"] += seconds

    return Clock()


def lookup(client, data, address="198.51.100.10"):
    return client.post("/lookup/", data, REMOTE_ADDR=address)


def main_text(response) -> str:
    main = re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"</?span[^>]*>", "", main)))


def without_input(response) -> str:
    """The page without what the visitor typed and without the per-visitor CSRF token."""
    page = response.content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
    return re.sub(r'\svalue="[^"]*"', "", page)


# Found


def test_a_resident_sees_their_years_with_masked_name_and_number(client, demo, on_2022_window):
    response = lookup(client, WANG)
    assert response.status_code == 200
    page = main_text(response)
    assert "王*兰，身份证号 370303********1223" in page
    assert "王秀兰" not in response.content.decode()
    assert WANG["id_number"] not in response.content.decode()
    assert "今天（2021年10月15日）可以享受医保待遇。 2021 年度已参保、已缴费" in page
    assert "2022 年度（下一年度，正在缴费）" in page
    # 2022 with her 低保 subsidy (410.00 − 200.00), 2021 before her identity's list was imported.
    assert "低保对象" in page and "已缴费 210.00 元" in page and "已缴费 370.00 元" in page
    assert "2022年1月1日 至 2022年12月31日" in page


def test_the_answer_names_the_residents_village_point_and_township_station(client, demo, on_2022_window):
    response = lookup(client, WANG)
    assert response.content.decode().count('<article class="point-card') == 2  # markup, not escaped text
    page = main_text(response)
    assert "您的村(社区)医保服务点 华光路社区医保服务点" in page
    assert "您的乡镇(街道)医保工作站 车站街道医保工作站" in page


def test_an_unpaid_enrollment_says_it_is_unpaid_and_not_yet_in_force(client, demo, on_2022_window):
    resident = Resident.objects.get(name="刘桂英")
    page = main_text(lookup(client, {"name": "刘桂英", "id_number": resident.id_number}))
    assert "还没有缴费 ，个人应缴 410.00 元" in page
    assert "（缴费后才能享受）" in page


def test_a_resident_not_enrolled_for_the_year_being_collected_is_told_so(client, demo, on_2022_window):
    resident = Resident.objects.get(name="赵伟")
    response = lookup(client, {"name": "赵伟", "id_number": resident.id_number})
    page = main_text(response)
    assert re.search(r"2022 年度（下一年度，正在缴费） 未参保。", page)
    assert f'href="/premium/?region={resident.region.code}"' in response.content.decode()


def test_a_cancelled_enrollment_is_shown_as_cancelled(client, demo, on_2022_window):
    Enrollment.objects.filter(resident__name="王秀兰", year=2022).update(status=Enrollment.Status.CANCELLED)
    page = main_text(lookup(client, WANG))
    assert "2022 年度（下一年度，正在缴费） 未参保。" in page
    assert "已注销" in page


def test_spaces_and_full_width_characters_in_the_input_do_not_matter(client, demo, on_2022_window):
    response = lookup(client, {"name": " 王 秀兰 ", "id_number": " ３７０３０３１９５２０３１５１２２３ "})
    assert "王*兰" in main_text(response)


@pytest.fixture
def declared_sections(monkeypatch):
    """declared_sections(*dotted paths): the lookup sections the apps declare, for this test."""
    from django.apps import apps

    from portal.shared.extensions import contributions

    def declare(*dotted):
        monkeypatch.setattr(apps.get_app_config("assistance"), "lookup_sections", list(dotted))
        contributions.cache_clear()

    yield declare
    contributions.cache_clear()


def test_sections_declared_by_other_apps_are_shown(client, demo, on_2022_window, declared_sections):
    declared_sections("tests.enrollment.views.test_lookup.EVERYONE", "tests.enrollment.views.test_lookup.NOBODY")
    ASKED_ABOUT.clear()
    page = main_text(lookup(client, WANG))
    assert "救助申请 2022 年第 1 件：乡镇审核中" in page
    assert ASKED_ABOUT == [Resident.objects.get(id_digest=id_digest(WANG["id_number"])).pk]  # EVERYONE's only


ASKED_ABOUT = []


def assistance_status(resident_id, *, today):
    ASKED_ABOUT.append(resident_id)
    return {"title": "救助申请", "lines": [f"{today.year + 1} 年第 1 件：乡镇审核中"]}


EVERYONE = LookupSection(applies=lambda resident: Exists(Resident.objects.filter(pk=resident)),
                         build=assistance_status)
NOBODY = LookupSection(applies=lambda resident: Exists(Resident.objects.filter(pk=resident, name="")),
                       build=assistance_status)


def test_without_a_declared_section_nothing_about_assistance_applications_is_invented(client, demo, on_2022_window):
    assert "救助申请" not in main_text(lookup(client, WANG))


# Not found


def test_a_wrong_name_and_an_unknown_number_get_the_same_answer(client, demo, on_2022_window):
    wrong_name = lookup(client, {"name": "王秀英", "id_number": WANG["id_number"]})
    unknown = lookup(client, {"name": "王秀英", "id_number": UNKNOWN_NUMBER})
    assert wrong_name.status_code == unknown.status_code == 200
    assert "没有查到与您输入的姓名和身份证号相符的参保记录" in main_text(wrong_name)
    assert without_input(wrong_name) == without_input(unknown)


def test_a_wrong_name_and_an_unknown_number_run_the_same_queries(client, demo, on_2022_window):
    statements = []
    for number in (WANG["id_number"], UNKNOWN_NUMBER):
        with CaptureQueriesContext(connection) as queries:
            lookup(client, {"name": "王秀英", "id_number": number})
        statements.append([re.sub(r"'[0-9a-f]{64}'", "'<digest>'", q["sql"]) for q in queries.captured_queries])
    assert statements[0] == statements[1]
    assert any("id_digest" in sql for sql in statements[0])


def test_a_found_lookup_reads_the_person_in_one_query_once_the_village_is_kept(client, demo, on_2022_window):
    lookup(client, WANG)  # keeps the village's part of the page
    with CaptureQueriesContext(connection) as queries:
        page = main_text(lookup(client, WANG))
    assert "2022 年度" in page and "2021 年度" in page
    # The person with her enrollments, and whether she has applied for assistance.
    (person,) = (q["sql"] for q in queries.captured_queries)
    assert 'FROM "enrollment_resident"' in person and '"enrollment_enrollment"' in person
    assert '"assistance_application"' in person


def test_the_village_part_is_kept_for_the_village_and_the_day(client, demo, on_2022_window, monkeypatch):
    from django.utils import timezone

    lookup(client, WANG)
    with CaptureQueriesContext(connection) as queries:
        lookup(client, WANG)
    assert not any("portal_servicepoint" in q["sql"] for q in queries.captured_queries)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2021, 10, 16))
    with CaptureQueriesContext(connection) as queries:
        assert "今天（2021年10月16日）" in main_text(lookup(client, WANG))
    assert any("portal_servicepoint" in q["sql"] for q in queries.captured_queries)


SUN = {"name": "孙丽", "id_number": make_id_number("370303", date(1986, 12, 12), 66)}  # another township


def test_each_page_holds_only_that_persons_part_and_village(client, demo, on_2022_window):
    wang = lookup(client, WANG).content.decode()
    sun = lookup(client, SUN).content.decode()
    assert "王*兰" in wang and "华光路社区医保服务点" in wang and "孙*" not in wang
    assert "孙*" in sun and "王*兰" not in sun and "华光路社区医保服务点" not in sun


def test_each_display_mode_gets_its_page(client, demo, on_2022_window, settings):
    standard = lookup(client, WANG).content.decode()
    client.cookies[settings.DISPLAY_COOKIE_NAME] = "large"
    large = lookup(client, WANG).content.decode()
    assert 'class="display-large"' in large and ">标准版<" in large
    assert 'class="display-large"' not in standard and ">大字版<" in standard


def test_a_signed_in_clerk_gets_their_own_page(client, demo, on_2022_window, clerk_chezhan):
    from django.test import Client

    client.force_login(clerk_chezhan)
    clerks = lookup(client, WANG).content.decode()
    assert "退出" in clerks and "csrfmiddlewaretoken" in clerks and "王*兰" in clerks
    anonymous = lookup(Client(), WANG).content.decode()
    assert "退出" not in anonymous and "csrfmiddlewaretoken" not in anonymous and "工作人员登录" in anonymous


def test_an_invalid_number_is_explained_next_to_the_field_without_a_lookup(client, demo, on_2022_window):
    with CaptureQueriesContext(connection) as queries:
        response = lookup(client, {"name": "王秀兰", "id_number": "370303195203151224"})
    page = response.content.decode()
    assert re.search(r'id="id_id_number"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="id_id_number"', page)
    assert "校验位不符：最后一位应为 3" in main_text(response)
    assert not any("id_digest" in q["sql"] for q in queries.captured_queries)


def test_an_empty_form_says_what_is_missing(client, demo):
    page = main_text(lookup(client, {"name": "", "id_number": ""}))
    assert "请填写姓名。" in page and "请填写 18 位身份证号。" in page


def test_a_name_and_number_in_the_url_are_ignored(client, demo, on_2022_window):
    response = client.get("/lookup/", WANG)
    assert response.status_code == 200
    assert "王*兰" not in main_text(response) and "没有查到" not in main_text(response)
    assert 'method="post"' in response.content.decode()


def test_no_lookup_answer_may_be_stored_by_a_browser_or_proxy(client, demo, on_2022_window):
    for response in (client.get("/lookup/"), lookup(client, WANG), lookup(client, {"name": "某", "id_number": UNKNOWN_NUMBER})):
        assert "no-store" in response["Cache-Control"]


# Rate limits


def test_the_sixth_try_in_a_minute_from_one_address_gets_a_429_in_chinese(client, demo, on_2022_window, clock):
    for sequence in range(5):
        number = make_id_number("370303", date(1980, 1, 1), 901 + sequence)
        assert lookup(client, {"name": "某某", "id_number": number}).status_code == 200
    response = lookup(client, WANG)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "no-store" in response["Cache-Control"]
    page = main_text(response)
    assert "操作太频繁，请稍后再试" in page
    assert "请在 06:15:00 以后再试 （大约 60 秒后）" in page  # 1700000100 is 06:15:00 in Shanghai
    assert "王*兰" not in page


def test_another_address_is_not_held_up_by_the_first(client, demo, on_2022_window, clock):
    for sequence in range(6):
        lookup(client, {"name": "某某", "id_number": make_id_number("370303", date(1980, 1, 1), 901 + sequence)})
    assert lookup(client, WANG, address="203.0.113.50").status_code == 200


def test_one_number_is_limited_even_when_the_tries_come_from_many_addresses(client, demo, on_2022_window, clock):
    for index in range(5):
        guess = {"name": f"王秀{index}", "id_number": WANG["id_number"]}
        assert lookup(client, guess, address=f"203.0.113.{index}").status_code == 200
    assert lookup(client, WANG, address="203.0.113.99").status_code == 429
    assert lookup(client, {"name": "某某", "id_number": UNKNOWN_NUMBER}, address="203.0.113.99").status_code == 200


def test_the_limit_lifts_when_the_minute_is_over(client, demo, on_2022_window, clock):
    for _ in range(6):
        lookup(client, WANG)
    assert lookup(client, WANG).status_code == 429
    clock.step(60)
    assert lookup(client, WANG).status_code == 200


def test_mistyped_forms_do_not_use_up_the_tries(client, demo, on_2022_window, clock):
    for _ in range(6):
        assert lookup(client, {"name": "王秀兰", "id_number": "12345"}).status_code == 200
    assert "王*兰" in main_text(lookup(client, WANG))


def test_the_limits_are_kept_per_person_by_digest(client, demo, on_2022_window, clock):
    """The counter for a person is found by the ID digest, so that every worker shares it."""
    from enrollment.views.public import LOOKUP_PER_PERSON

    for _ in range(5):
        LOOKUP_PER_PERSON.hit(id_digest(WANG["id_number"]))
    assert lookup(client, WANG, address="203.0.113.77").status_code == 429
