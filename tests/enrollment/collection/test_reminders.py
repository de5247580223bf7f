"""Collection reminders: during the window each enrolled-but-unpaid person
with a phone gets one reminder a week through the notification backend, never after paying or
dying, with the amount, the last day and where to pay, never an ID number; every message sent is
logged."""

import io
import json
import uuid
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from enrollment.collection import reminders
from enrollment.collection.reminders import reminders_count, reminders_due, reminders_send
from enrollment.models import CollectionReminder, Enrollment, Resident
from enrollment.services import enrollment_register, payment_record, resident_register
from portal.network.models import Region
from portal.privacy.id_numbers import ID_NUMBER_PATTERN, make_id_number
from portal.privacy.models import AccessLogEntry
from portal.shared.vocabulary import Category
from tests.factories import staff_user
from tests.logins import force_login_password_only, otp_login

pytestmark = pytest.mark.django_db

TODAY = date(2021, 10, 15)  # inside the demo's 2022 window, 2021-09-01 to 2021-12-31
VILLAGE_CODE = "370303001099"  # a village of 车站街道 of these tests only, without a point of its own
REMINDERS_URL = "admin:enrollment_collectionreminder_changelist"
SEND_URL = "admin:enrollment_collectionreminder_send"


def reminder_village() -> Region:
    return Region.objects.get_or_create(
        code=VILLAGE_CODE, defaults={"name": "提醒测试村", "parent": Region.objects.get(code="370303001000")},
    )[0]


def person(clerk, n: int, *, name: str = "欧阳春花", phone: str = "13905331234", enroll: bool = True,
           on: date = TODAY) -> Resident:
    """A resident of the test village, enrolled for 2022 (adult: 410.00 due) unless told not to."""
    resident = resident_register(
        id_number=make_id_number("370303", date(1931, 1, 1) + timedelta(days=n), 900 + n), name=name,
        region=reminder_village(), clerk=clerk, phone=phone, today=on,
    )
    if enroll:
        enrollment_register(resident=resident, year=2022, category=Category.ADULT, clerk=clerk, on=on)
    return resident


def enrollment_of(resident: Resident) -> Enrollment:
    return Enrollment.objects.active().get(resident=resident, year=2022)


def reminded_on(resident: Resident, day: date) -> CollectionReminder:
    return CollectionReminder.objects.create(enrollment=enrollment_of(resident), sent_on=day,
                                             phone_masked="139****1234", message="较早的提醒")


@pytest.fixture
def village(demo, clerk_chezhan) -> Region:
    return reminder_village()


# --- who is reminded ----------------------------------------------------------------------------


def test_an_unpaid_person_gets_one_reminder_with_the_amount_the_last_day_and_where_to_pay(
        village, clerk_chezhan, outbox):
    resident = person(clerk_chezhan, 1, name="欧阳春花", phone="13905331234")

    report = reminders_send(scope=village, today=TODAY)

    assert report.sent == 1 and report.due == 1
    (message,) = outbox
    assert message.phone == "13905331234" and message.kind == "collection_reminder"
    text = message.message
    assert "欧**花" in text and "欧阳春花" not in text
    assert "2022 年度" in text and "410.00 元" in text and "2021年12月31日" in text
    # The test village has no point of its own: its people pay at the township's station.
    assert "车站街道医保工作站" in text
    assert not ID_NUMBER_PATTERN.search(text) and resident.id_masked not in text
    (logged,) = CollectionReminder.objects.filter(enrollment__resident=resident)
    assert logged.sent_on == TODAY and logged.sent_by is None and logged.message == text
    assert logged.phone_masked == "139****1234"


def test_a_village_with_its_own_point_names_it_beside_the_township_station(demo, outbox):
    liu = Resident.objects.get(name="刘桂英")  # unpaid for 2022 in the demo, 370303001001
    reminders_send(scope=liu.region, today=TODAY)
    (message,) = [n for n in outbox if n.phone == liu.phone]
    assert f"{liu.region.name}医保服务点或车站街道医保工作站" in message.message


def test_nobody_who_paid_died_has_no_phone_or_owes_nothing_is_reminded(village, clerk_chezhan, outbox):
    due = person(clerk_chezhan, 1)
    paid = person(clerk_chezhan, 2, phone="13905330002")
    payment_record(enrollment=enrollment_of(paid), amount=Decimal("410.00"), method="cash", token=uuid.uuid4(),
                   clerk=clerk_chezhan)
    dead = person(clerk_chezhan, 3, phone="13905330003")
    Resident.objects.filter(pk=dead.pk).update(date_of_death=date(2021, 10, 1))
    person(clerk_chezhan, 4, phone="")
    nothing_due = person(clerk_chezhan, 5, phone="13905330005")
    Enrollment.objects.filter(resident=nothing_due).update(payable=Decimal("0.00"), subsidy=Decimal("410.00"))
    cancelled = person(clerk_chezhan, 6, phone="13905330006")
    Enrollment.objects.filter(resident=cancelled).update(status=Enrollment.Status.CANCELLED)
    person(clerk_chezhan, 7, phone="13905330007", enroll=False)
    outbox.clear()  # the payment's receipt message

    assert [e.resident for e in reminders_due(scope=village, today=TODAY)] == [due]
    report = reminders_send(scope=village, today=TODAY)

    assert [n.phone for n in outbox] == [due.phone]
    assert (report.sent, report.without_phone, report.reminded_this_week) == (1, 1, 0)
    assert CollectionReminder.objects.filter(enrollment__region=village).count() == 1


def test_reminded_six_days_ago_waits_and_seven_days_ago_is_reminded_again(village, clerk_chezhan, outbox):
    six = person(clerk_chezhan, 1, phone="13905330001")
    seven = person(clerk_chezhan, 2, phone="13905330002")
    reminded_on(six, TODAY - timedelta(days=6))
    reminded_on(seven, TODAY - timedelta(days=7))

    report = reminders_send(scope=village, today=TODAY)

    assert [n.phone for n in outbox] == [seven.phone]
    assert (report.sent, report.reminded_this_week) == (1, 1)
    assert not CollectionReminder.objects.filter(enrollment__resident=six, sent_on=TODAY).exists()


def test_a_week_counts_per_person_even_across_a_remade_enrollment(village, clerk_chezhan, outbox):
    resident = person(clerk_chezhan, 1)
    reminded_on(resident, TODAY - timedelta(days=3))
    Enrollment.objects.filter(resident=resident).update(status=Enrollment.Status.CANCELLED)
    enrollment_register(resident=resident, year=2022, category=Category.ADULT, clerk=clerk_chezhan, on=TODAY)

    assert reminders_send(scope=village, today=TODAY).sent == 0
    assert reminders_send(scope=village, today=TODAY + timedelta(days=4)).sent == 1


def test_a_second_run_the_same_day_sends_nothing_more(village, clerk_chezhan, outbox):
    person(clerk_chezhan, 1)
    assert reminders_send(scope=village, today=TODAY).sent == 1
    again = reminders_send(scope=village, today=TODAY)
    assert (again.sent, again.reminded_this_week, len(outbox)) == (0, 1, 1)


@pytest.mark.parametrize("day", [date(2021, 8, 31), date(2022, 1, 1)])
def test_outside_the_window_nothing_is_sent_and_the_report_says_so(village, clerk_chezhan, outbox, day):
    person(clerk_chezhan, 1)

    report = reminders_send(scope=village, today=day)

    assert not report.collecting and report.sent == 0 and outbox == []
    assert "不在任何集中缴费期内" in report.summary()
    assert not reminders_due(scope=village, today=day).exists()
    assert not CollectionReminder.objects.exists()


def test_people_outside_the_scope_are_not_reminded(village, clerk_chezhan, outbox):
    mine = person(clerk_chezhan, 1)
    gongyuan = Region.objects.get(code="370303002000")  # 公园街道: the demo's 周强 is unpaid there

    report = reminders_send(scope=gongyuan, today=TODAY)

    zhou = Resident.objects.get(name="周强")
    assert [n.phone for n in outbox] == [zhou.phone] and report.sent == 1
    assert not CollectionReminder.objects.filter(enrollment__resident=mine).exists()
    assert set(reminders_due(scope=village, today=TODAY)) == {enrollment_of(mine)}


def test_a_dry_run_counts_but_sends_and_writes_nothing(village, clerk_chezhan, outbox):
    person(clerk_chezhan, 1)
    person(clerk_chezhan, 2, phone="")

    report = reminders_send(scope=village, today=TODAY, dry_run=True)

    assert (report.due, report.without_phone, report.sent) == (1, 1, 0) and report.dry_run
    assert "预检，未发送" in report.summary()
    assert outbox == [] and not CollectionReminder.objects.exists()


def test_a_failing_backend_logs_nothing_and_the_person_stays_due(village, clerk_chezhan, outbox, monkeypatch):
    person(clerk_chezhan, 1)

    def gateway_down(**kwargs):
        raise ConnectionError("短信网关不可用")

    monkeypatch.setattr(reminders, "notify", gateway_down)
    report = reminders_send(scope=village, today=TODAY)

    assert (report.sent, report.failed) == (0, 1) and "发送失败 1 人" in report.summary()
    assert not CollectionReminder.objects.exists()
    assert reminders_due(scope=village, today=TODAY).count() == 1


def test_many_people_are_sent_in_chunks_each_once_and_a_limit_leaves_the_rest_due(
        village, clerk_chezhan, outbox, monkeypatch):
    monkeypatch.setattr(reminders, "CHUNK", 2)
    people = [person(clerk_chezhan, n, phone=f"139053300{n:02d}") for n in range(1, 8)]

    first = reminders_send(scope=village, today=TODAY, limit=3)
    assert (first.sent, first.left) == (3, 4) and "本次未处理 4 人" in first.summary()
    rest = reminders_send(scope=village, today=TODAY)

    assert rest.sent == 4 and rest.reminded_this_week == 3
    assert sorted(n.phone for n in outbox) == sorted(p.phone for p in people)
    assert CollectionReminder.objects.filter(sent_on=TODAY, enrollment__region=village).count() == 7


def test_someone_who_paid_after_the_list_was_read_is_not_reminded(village, clerk_chezhan, outbox, monkeypatch):
    # The list is read a chunk at a time; a payment between the read and the send must still win.
    resident = person(clerk_chezhan, 1)
    stale = list(reminders_due(scope=village, today=TODAY))
    Enrollment.objects.filter(resident=resident).update(paid_at="2021-10-15T09:00:00+08:00")
    monkeypatch.setattr(reminders, "_due", lambda candidates, today: Enrollment.objects.filter(
        pk__in=[e.pk for e in stale]))

    report = reminders_send(scope=village, today=TODAY)

    assert (report.sent, report.no_longer_due) == (0, 1) and outbox == []
    assert not CollectionReminder.objects.exists()


def test_counts_for_a_wider_scope_include_every_unpaid_person_of_it(demo, village, clerk_chezhan):
    person(clerk_chezhan, 1)
    city = Region.objects.get(code="370300000000")
    counts = reminders_count(scope=city, today=TODAY)
    chezhan = reminders_count(scope=Region.objects.get(code="370303001000"), today=TODAY)
    # 刘桂英 and 陈志强 of 车站街道 are unpaid in the demo, and the test village's person.
    assert chezhan.due >= 3 and counts.due >= chezhan.due + 1  # 周强 of 公园街道 too
    assert [(w.region.code, w.year, w.end) for w in counts.windows] == [("370300000000", 2022, date(2021, 12, 31))]


# --- the daily command ---------------------------------------------------------------------------


def _command(*args) -> str:
    out = io.StringIO()
    call_command("send_collection_reminders", *args, stdout=out)
    return out.getvalue()


def test_the_command_reports_its_counts_as_json(village, clerk_chezhan, outbox, on_2022_window):
    person(clerk_chezhan, 1)
    person(clerk_chezhan, 2, phone="")
    reminded_on(person(clerk_chezhan, 3, phone="13905330003"), TODAY - timedelta(days=2))

    result = json.loads(_command("--region", VILLAGE_CODE, "--json"))

    assert result["today"] == "2021-10-15" and result["dry_run"] is False
    (region,) = result["regions"]
    assert region["region"] == VILLAGE_CODE and region["collecting"] is True
    assert (region["sent"], region["reminded_this_week"], region["without_phone"]) == (1, 1, 1)
    assert region["windows"] == [{"region": "370300000000", "region_name": "淄博市", "year": 2022,
                                  "window_start": "2021-09-01", "window_end": "2021-12-31"}]
    assert result["total"]["sent"] == 1 and len(outbox) == 1


def test_the_command_without_a_region_covers_every_city_with_an_open_window(village, clerk_chezhan, outbox,
                                                                            on_2022_window):
    person(clerk_chezhan, 1)

    dry = json.loads(_command("--dry-run", "--json"))
    assert [r["region"] for r in dry["regions"]] == ["370300000000"]
    assert dry["total"]["due"] >= 4 and dry["total"]["sent"] == 0 and outbox == []

    text = _command()
    assert "淄博市（370300000000）：已发送" in text
    assert CollectionReminder.objects.filter(sent_by__isnull=True, sent_on=TODAY).count() == dry["total"]["due"]
    assert len(outbox) == dry["total"]["due"]


def test_the_command_outside_every_window_sends_nothing_and_says_so(village, clerk_chezhan, outbox, monkeypatch):
    from django.utils import timezone

    person(clerk_chezhan, 1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2022, 3, 1))

    assert "没有统筹区在集中缴费期内，未发送缴费提醒" in _command()
    assert "不在任何集中缴费期内" in _command("--region", "370303")
    assert json.loads(_command("--json"))["regions"] == []
    assert outbox == []


def test_the_command_refuses_an_unknown_region(demo):
    with pytest.raises(CommandError, match="没有区划代码为 370399000000"):
        _command("--region", "370399")
    with pytest.raises(CommandError, match="只能由数字组成"):
        _command("--region", "abc")


# --- the officers' page -------------------------------------------------------------------------


def test_the_officer_sees_todays_count_sends_and_reads_the_log(officer_client, officer, village, clerk_chezhan,
                                                              outbox, on_2022_window):
    mine = person(clerk_chezhan, 1)
    expected = reminders_count(scope=Region.objects.get(code="370300000000"), today=TODAY).due

    page = officer_client.get(reverse(REMINDERS_URL))
    assert page.status_code == 200
    text = page.content.decode()
    assert f"今天应提醒</th><td><strong>{expected}</strong> 人" in text
    assert f"立即发送今天的缴费提醒（{expected} 人）" in text and "csrfmiddlewaretoken" in text

    sent = officer_client.post(reverse(SEND_URL), follow=True)
    assert sent.status_code == 200 and f"淄博市：已发送 {expected} 人" in sent.content.decode()
    assert len(outbox) == expected
    logged = CollectionReminder.objects.get(enrollment__resident=mine)
    assert logged.sent_by == officer

    log = officer_client.get(reverse(REMINDERS_URL)).content.decode()
    assert "欧**花" in log and "139****1234" in log and "张科长" in log and "13905331234" not in log
    assert f"共 {expected} 条" in log and "今天没有需要提醒的人" in log
    assert not ID_NUMBER_PATTERN.search(log)


def test_the_page_writes_one_access_log_entry_and_the_export_another(officer_client, village, clerk_chezhan,
                                                                    on_2022_window):
    person(clerk_chezhan, 1)
    reminders_send(scope=village, today=TODAY)
    before = AccessLogEntry.objects.count()
    officer_client.get(reverse(REMINDERS_URL))
    (entry,) = AccessLogEntry.objects.order_by("-pk")[: AccessLogEntry.objects.count() - before]
    assert entry.action == "view_reminders" and "2021-10-15 缴费提醒记录 淄博市" in entry.detail

    response = officer_client.get(reverse(REMINDERS_URL), {"on": "2021-10-15", "format": "xlsx"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("发送日期", "发送时间", "村(社区)", "姓名")
    assert any(row[3] == "欧**花" and row[4] == "139****1234" and row[-1] == "每日任务（自动）" for row in rows[1:])
    assert AccessLogEntry.objects.filter(action="export_reminders").count() == 1


def test_the_log_pages_through_a_day_and_shows_other_days(officer_client, village, clerk_chezhan, on_2022_window,
                                                         monkeypatch):
    from enrollment.collection import reminders_admin
    from portal.web import pagination

    monkeypatch.setattr(reminders_admin, "keyset_page",
                        lambda rows, **kwargs: pagination.keyset_page(rows, per_page=2, **kwargs))
    for n in range(1, 6):
        person(clerk_chezhan, n, phone=f"139053300{n:02d}")
    reminders_send(scope=village, today=TODAY - timedelta(days=1))

    first = officer_client.get(reverse(REMINDERS_URL), {"on": "2021-10-14"}).content.decode()
    assert "第 1 / 3 页，共 5 条" in first and "after=" in first
    after = first.split("after=")[1].split('"')[0]
    second = officer_client.get(reverse(REMINDERS_URL), {"on": "2021-10-14", "after": after}).content.decode()
    assert "第 2 / 3 页，共 5 条" in second
    assert "这一天淄博市没有发送缴费提醒" in officer_client.get(reverse(REMINDERS_URL)).content.decode()
    assert officer_client.get(reverse(REMINDERS_URL), {"on": "0001-01-01"}).status_code == 200
    assert officer_client.get(reverse(REMINDERS_URL), {"on": "不是日期"}).status_code == 200


def test_an_officer_of_another_county_neither_counts_nor_sends_for_this_one(village, clerk_chezhan, outbox,
                                                                          on_2022_window):
    person(clerk_chezhan, 1)
    reminders_send(scope=village, today=TODAY - timedelta(days=1))
    zichuan = staff_user(role="officer", scope=Region.objects.get(code="370302000000"), username="o_zichuan_remind")
    client = otp_login(Client(), zichuan)
    outbox.clear()

    text = client.get(reverse(REMINDERS_URL), {"on": "2021-10-14"}).content.decode()
    assert "今天应提醒</th><td><strong>0</strong> 人" in text and "欧**花" not in text
    client.post(reverse(SEND_URL))
    assert outbox == [] and not CollectionReminder.objects.filter(sent_on=TODAY).exists()


def test_the_page_is_for_officers_past_the_second_factor(demo, officer, clerk_chezhan, on_2022_window):
    url = reverse(REMINDERS_URL)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    clerk = otp_login(Client(), clerk_chezhan)
    assert clerk.get(url).status_code in (302, 403) and clerk.post(reverse(SEND_URL)).status_code in (302, 403)
    password_only = Client()
    force_login_password_only(password_only, officer)
    assert password_only.get(url).status_code == 302
    assert password_only.post(reverse(SEND_URL)).status_code == 302
    assert not CollectionReminder.objects.exists()


def test_the_send_button_answers_get_with_405_and_the_admin_home_links_the_page(officer_client):
    assert officer_client.get(reverse(SEND_URL)).status_code == 405
    index = officer_client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse(REMINDERS_URL)}"' in index and "缴费提醒" in index


def test_the_page_outside_the_window_says_nothing_is_sent(officer_client, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2022, 3, 1))
    text = officer_client.get(reverse(REMINDERS_URL)).content.decode()
    assert "今天不在集中缴费期内，不发送缴费提醒" in text and "立即发送" not in text
    sent = officer_client.post(reverse(SEND_URL), follow=True).content.decode()
    assert "不在任何集中缴费期内，未发送缴费提醒" in sent
