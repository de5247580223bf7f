"""未参保名单: everyone expected and not enrolled, with why, one click from enrolling; and the
record of someone insured elsewhere, which takes them off it."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from enrollment.collection.uninsured import uninsured
from enrollment.models import Enrollment, InsuredElsewhere, Resident
from portal.network.models import Region
from portal.privacy.models import AccessLogEntry
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

TODAY = date(2021, 10, 15)
CHEZHAN, XIER = "370303001000", "370303001003"


@pytest.fixture
def on_today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def names(code=CHEZHAN, year=2022) -> list[str]:
    return [r.name for r in uninsured(Region.objects.get(code=code), year=year, today=TODAY)]


@pytest.fixture
def never_enrolled(demo, clerk_chezhan):
    """A resident of 西二路社区 registered but never enrolled: on no other list."""
    from portal.privacy.id_numbers import make_id_number
    from portal.privacy.id_vault import id_digest, id_encrypt

    number = make_id_number("370303", date(1985, 5, 5), 901)
    return Resident.objects.create(
        id_number_encrypted=id_encrypt(number), id_digest=id_digest(number), id_masked=number[:6] + "********" + number[-4:],
        name="新居民", gender="male", birth_date=date(1985, 5, 5), region=Region.objects.get(code=XIER),
        created_by=clerk_chezhan, phone="13900000000",
    )


def test_everyone_expected_without_an_enrollment_is_listed_with_why(never_enrolled):
    rows = {r.name: r for r in uninsured(Region.objects.get(code=CHEZHAN), year=2022, today=TODAY)}
    assert set(rows) == {"赵伟", "新居民"}
    assert rows["赵伟"].enrolled_last_year and not rows["新居民"].enrolled_last_year
    from enrollment.collection.uninsured import reasons

    assert reasons(rows["赵伟"]) == ["上年度参保", "西二路社区居民"]
    assert reasons(rows["新居民"]) == ["西二路社区居民"]
    Resident.objects.filter(pk=never_enrolled.pk).update(assistance_category="minimum_living")
    again = {r.name: r for r in uninsured(Region.objects.get(code=CHEZHAN), year=2022, today=TODAY)}
    assert reasons(again["新居民"]) == ["困难群众（低保对象）", "西二路社区居民"]


def test_the_dead_the_insured_elsewhere_and_the_enrolled_are_not_listed(never_enrolled, clerk_chezhan):
    Resident.objects.filter(name="赵伟").update(date_of_death=date(2021, 9, 30))
    InsuredElsewhere.objects.create(resident=never_enrolled, year=2022, scheme="employee", recorded_by=clerk_chezhan)
    assert names() == []
    # Insured elsewhere only for 2022; 赵伟 was alive on 2021-01-01 and enrolled for 2021; 李秀梅 was not.
    assert names(year=2021) == ["李秀梅", "新居民"]
    # An unpaid enrollment is not uninsured: it is on the 追缴名单.
    assert "刘桂英" not in names(year=2022)


def test_a_cancelled_enrollment_puts_the_person_back_on(demo):
    Enrollment.objects.filter(resident__name="刘桂英", year=2022).update(status=Enrollment.Status.CANCELLED)
    assert "刘桂英" in names()


def test_the_page_lists_masks_logs_and_offers_enrolling(never_enrolled, clerk_chezhan, client, on_today):
    client.force_login(clerk_chezhan)
    response = client.get("/station/uninsured/")
    html = response.content.decode()
    assert response.status_code == 200 and "2022 年度未参保名单 · 车站街道" in html
    assert "新居民" in html and never_enrolled.id_masked in html and never_enrolled.id_number not in html
    assert f"/station/residents/{never_enrolled.pk}/enroll/?year=2022" in html
    assert f"/station/residents/{never_enrolled.pk}/insured-elsewhere/?year=2022" in html
    entry = AccessLogEntry.objects.filter(action="view_uninsured").latest("pk")
    assert "2022 年度未参保名单 车站街道" in entry.detail and "共 2 人" in entry.detail
    # The link leads to enrolling for that year.
    enroll = client.get(f"/station/residents/{never_enrolled.pk}/enroll/?year=2022").content.decode()
    assert 'value="2022" selected' in enroll


def test_a_past_year_offers_no_enrolling(never_enrolled, clerk_chezhan, client, on_today):
    client.force_login(clerk_chezhan)
    html = client.get("/station/uninsured/", {"year": 2021}).content.decode()
    assert "新居民" in html and "/enroll/" not in html


def test_officers_see_the_list_of_their_scope_without_station_actions(never_enrolled, officer_client, on_today):
    html = officer_client.get("/station/uninsured/", {"region": XIER}).content.decode()
    assert "新居民" in html and "/enroll/" not in html and "/insured-elsewhere/" not in html


def test_the_list_exports_masked_and_logged(never_enrolled, clerk_chezhan, client, on_today):
    client.force_login(clerk_chezhan)
    response = client.get("/station/uninsured/", {"format": "xlsx", "region": XIER})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("身份证号", "姓名", "联系电话", "区划代码", "村(社区)", "应参保原因")
    assert {row[1] for row in rows[1:]} == {"赵伟", "新居民"}
    assert all("*" in row[0] for row in rows[1:])
    assert AccessLogEntry.objects.filter(action="export_uninsured").exists()


def test_pages_of_a_long_list_hold_everyone_once(demo, clerk_chezhan, client, on_today):
    from tests.enrollment.views.test_station_query_counts import add_crowd

    add_crowd(clerk_chezhan)  # 60 people of 华光路社区 enrolled for 2021; half also for 2022
    client.force_login(clerk_chezhan)
    expected = set(uninsured(Region.objects.get(code=CHEZHAN), year=2022, today=TODAY).values_list("pk", flat=True))
    seen, params = [], {}
    import re

    while True:
        html = client.get("/station/uninsured/", params).content.decode()
        seen += [int(pk) for pk in re.findall(r'<a href="/station/residents/(\d+)/">', html)]
        after = re.search(r'href="\?[^"]*after=(\d+)"', html)
        if not after:
            break
        params = {"after": after.group(1)}
    assert len(seen) == len(set(seen)) and set(seen) == expected and len(expected) > 30


def test_recording_insured_elsewhere_takes_the_person_off(never_enrolled, clerk_chezhan, client, on_today):
    client.force_login(clerk_chezhan)
    url = f"/station/residents/{never_enrolled.pk}/insured-elsewhere/"
    wrong = client.post(url, {"year": "2022", "scheme": "", "note": ""})
    assert wrong.status_code == 200 and "请选择此人在哪里参保" in wrong.content.decode()
    assert not InsuredElsewhere.objects.exists()
    done = client.post(url, {"year": "2022", "scheme": "employee", "note": "某公司"})
    assert done.status_code == 302
    assert "新居民" not in names()
    again = client.post(url, {"year": "2022", "scheme": "employee", "note": ""})
    assert "已记录在他处参保" in again.content.decode() and InsuredElsewhere.objects.count() == 1
    not_a_year = client.post(url, {"year": "1999", "scheme": "employee"})
    assert "请从列表中选择年度" in not_a_year.content.decode()


def test_someone_enrolled_here_is_a_duplicate_not_a_record(demo, clerk_chezhan, client, on_today):
    client.force_login(clerk_chezhan)
    liu = Resident.objects.get(name="刘桂英")
    response = client.post(f"/station/residents/{liu.pk}/insured-elsewhere/", {"year": "2022", "scheme": "employee"})
    assert "属重复参保" in response.content.decode() and not InsuredElsewhere.objects.exists()


def test_another_townships_clerk_cannot_record_it(never_enrolled, clerk_other, client, on_today):
    client.force_login(clerk_other)
    url = f"/station/residents/{never_enrolled.pk}/insured-elsewhere/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"year": "2022", "scheme": "employee"}).status_code == 404
    assert not InsuredElsewhere.objects.exists()


def test_an_officer_cannot_record_it(never_enrolled, officer_client):
    assert officer_client.get(f"/station/residents/{never_enrolled.pk}/insured-elsewhere/").status_code == 403


def test_without_a_scope_nothing(demo, client):
    client.force_login(staff_user(role="clerk", scope=None))
    assert client.get("/station/uninsured/").status_code == 403
