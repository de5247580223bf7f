"""集体代缴, the station pages: from a roll import to one recorded payment with everyone's receipt,
and wrong input answered in Chinese with nothing recorded."""

import re
import uuid
from decimal import Decimal

import pytest

from enrollment import services
from enrollment.models import CollectivePayment, Enrollment, Payment
from enrollment.views import collective as collective_views
from portal.privacy.models import AccessLogEntry
from tests.enrollment.collection.test_collective import a_roll, unpaid_people
from tests.enrollment.imports.test_page import GOOD, HAN_MEI, XIAO_YU, confirm, csv_upload, dry_run, token_of

pytestmark = pytest.mark.django_db

COLLECTIVE, CONFIRM = "/station/collective/", "/station/collective/confirm/"
# 西二路社区 of 车站街道: nobody of the demo is enrolled there for 2022 and unpaid.
XIER = "370303001003"
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.ROLL_UPLOAD_DIR = tmp_path / "rolls"


@pytest.fixture
def clerk_client(clerk_client, on_2022_window):
    return clerk_client


def hidden_fields(page: str) -> dict[str, str]:
    return dict(HIDDEN.findall(page))


def review(client, data: dict):
    return client.post(CONFIRM, {"action": "review", **data})


def record(client, confirm_page: str, **fields):
    data = {**hidden_fields(confirm_page), "payer_name": "淄博市张店区实验小学", "method": "bank_card", **fields}
    return client.post(CONFIRM, data)


def masked(number: str) -> str:
    return number[:6] + "********" + number[-4:]


def test_a_roll_is_paid_for_from_its_import_result_to_every_receipt(clerk_client, clerk_chezhan):
    token = token_of(dry_run(clerk_client, csv_upload(*GOOD)))
    result = clerk_client.get(confirm(clerk_client, token)["Location"]).content.decode()
    link = re.search(r'href="(/station/collective/\?roll=\d+)">为这批人员集体缴费</a>', result)[1]

    chosen = clerk_client.get(link.replace("&amp;", "&"))
    page = chosen.content.decode()
    assert chosen.status_code == 200
    assert "共 <strong>2</strong> 人，个人应缴合计 <strong>720.00</strong> 元" in page
    assert masked(HAN_MEI) in page and masked(XIAO_YU) in page and HAN_MEI not in page
    boxes = re.findall(r'type="checkbox" name="enrollment" value="(\d+)"[^>]*checked', page)
    assert len(boxes) == 2

    form = {**hidden_fields(page), "enrollment": boxes}
    confirming = review(clerk_client, form)
    page = confirming.content.decode()
    assert confirming.status_code == 200 and "<strong>2</strong> 人" in page and "柒佰贰拾元整" in page
    assert "确认收款 720.00 元" in page

    recorded = record(clerk_client, page, confirmed_total="720.00")
    collective = CollectivePayment.objects.get()
    assert recorded.status_code == 302 and recorded["Location"] == f"/station/collective/{collective.pk}/"
    assert collective.roll_import.token == token and collective.people == 2 and collective.total == Decimal("720.00")
    # The same form again (a double click, a retry): the same answer, nothing recorded twice.
    again = record(clerk_client, page, confirmed_total="720.00")
    assert again["Location"] == recorded["Location"] and CollectivePayment.objects.count() == 1
    assert Payment.objects.filter(enrollment__resident__name__in=["韩梅", "韩小雨"]).count() == 2

    done = clerk_client.get(recorded["Location"]).content.decode()
    assert "淄博市张店区实验小学" in done and "720.00 元" in done and "实验" in done
    for payment in collective.payments.all():
        assert payment.receipt_number in done and f'href="/station/payments/{payment.pk}/receipt/"' in done
        assert clerk_client.get(f"/station/payments/{payment.pk}/receipt/").status_code == 200
    printed = clerk_client.get(recorded["Location"], {"print": "1"}).content.decode()
    assert "集体代缴清单" in printed and "合计 2 人" in printed and masked(HAN_MEI) in printed
    assert HAN_MEI not in done + printed
    actions = list(AccessLogEntry.objects.filter(user=clerk_chezhan).values_list("action", flat=True))
    assert {"view_collective_group", "record_collective_payment", "view_collective_payment"} <= set(actions)


def test_the_clerk_leaves_out_people_by_unticking_them(clerk_client, clerk_chezhan):
    people = unpaid_people(clerk_chezhan, 3, village=XIER)
    page = clerk_client.get(COLLECTIVE, {"village": XIER, "year": 2022}).content.decode()
    assert all(f'value="{e.pk}"' in page for e in people)

    confirming = review(clerk_client, {**hidden_fields(page), "enrollment": [people[0].pk, people[2].pk]})
    assert "<strong>2</strong> 人" in confirming.content.decode()
    record(clerk_client, confirming.content.decode(), confirmed_total="820.00")

    paid = set(Enrollment.objects.filter(pk__in=[e.pk for e in people], paid_at__isnull=False).values_list("pk", flat=True))
    assert paid == {people[0].pk, people[2].pk}


def test_a_large_group_is_paid_whole_and_its_list_is_paged(clerk_client, clerk_chezhan, monkeypatch):
    monkeypatch.setattr(collective_views, "CHECKBOXES_UP_TO", 2)
    roll = a_roll(clerk_chezhan, people=3)
    people = unpaid_people(clerk_chezhan, 3, roll=roll)

    page = clerk_client.get(COLLECTIVE, {"roll": roll.pk}).content.decode()
    assert "人数超过 2 人，不逐人勾选" in page and 'name="enrollment"' not in page
    assert hidden_fields(page)["whole"] == "1"

    confirming = review(clerk_client, hidden_fields(page))
    assert "<strong>3</strong> 人" in confirming.content.decode()
    assert record(clerk_client, confirming.content.decode(), confirmed_total="1230.00").status_code == 302
    assert CollectivePayment.objects.get().people == 3
    assert not Enrollment.objects.filter(pk__in=[e.pk for e in people], paid_at__isnull=True).exists()


def test_a_wrong_total_is_refused_in_chinese_and_records_nothing(clerk_client, clerk_chezhan):
    unpaid_people(clerk_chezhan, 2, village=XIER)
    page = clerk_client.get(COLLECTIVE, {"village": XIER, "year": 2022}).content.decode()
    confirming = review(clerk_client, {**hidden_fields(page), "whole": "1"}).content.decode()

    refused = record(clerk_client, confirming, confirmed_total="800.00")

    text = refused.content.decode()
    assert refused.status_code == 400 and "合计现为" in text and "与您确认的 800.00 元不符" in text
    assert not CollectivePayment.objects.exists()


def test_someone_paying_meanwhile_refuses_the_group_and_the_page_offers_the_rest(clerk_client, clerk_chezhan):
    people = unpaid_people(clerk_chezhan, 3, village=XIER)
    page = clerk_client.get(COLLECTIVE, {"village": XIER, "year": 2022}).content.decode()
    confirming = review(clerk_client, {**hidden_fields(page), "whole": "1"}).content.decode()
    services.payment_record(enrollment=people[1], amount=people[1].payable, method="cash", token=uuid.uuid4(),
                            clerk=clerk_chezhan)

    refused = record(clerk_client, confirming, confirmed_total="1230.00")

    text = refused.content.decode()
    assert refused.status_code == 400 and "已缴费：代缴1" in text and "<strong>2</strong> 人" in text
    assert not CollectivePayment.objects.exists()
    fields = hidden_fields(text)
    assert fields["ids"] == f"{people[0].pk},{people[2].pk}" and fields["token"] != hidden_fields(confirming)["token"]
    assert 'name="confirmed_total" value=' not in text  # the changed total is typed again
    assert record(clerk_client, text, confirmed_total="820.00").status_code == 302


@pytest.mark.parametrize("params", [
    {"roll": "abc"}, {"roll": "987654321"}, {"village": "370303002001", "year": "2022"},  # another township
    {"village": "xyz", "year": "2022"}, {"village": "370303001002", "year": "1900"},
    {"village": "370303001002"}, {"year": "2022"}, {"roll": "9" * 25}, {"village": "9" * 40, "year": "9" * 30},
])
def test_a_group_that_cannot_be_chosen_is_answered_in_chinese(clerk_client, params):
    response = clerk_client.get(COLLECTIVE, params)
    page = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in page
    assert re.search(r'role="alert">[^<]*[\u4e00-\u9fff]', page)
    assert "未缴费人员</h2>" not in page


@pytest.mark.parametrize("tampered", [
    {"ids": "1,2,x"}, {"ids": ""}, {"token": "not-a-token"}, {"confirmed_total": "一千"}, {"confirmed_total": "-5"},
    {"method": "fund_transfer"}, {"payer_name": ""}, {"roll": "987654321"}, {"ids": "9" * 18},
])
def test_tampered_or_wrong_record_forms_record_nothing_and_never_fail(clerk_client, clerk_chezhan, tampered):
    unpaid_people(clerk_chezhan, 1, village=XIER)
    page = clerk_client.get(COLLECTIVE, {"village": XIER, "year": 2022}).content.decode()
    confirming = review(clerk_client, {**hidden_fields(page), "whole": "1"}).content.decode()

    response = record(clerk_client, confirming, **{"confirmed_total": "410.00", **tampered})

    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert re.search(r'(invalid-feedback|alert-danger)[^>]*>\s*(<[^>]+>\s*)*[\u4e00-\u9fff]', response.content.decode())
    else:  # an expired page goes back to the list, with the reason in the messages
        follow = clerk_client.get(response["Location"]).content.decode()
        assert "请重新选择" in follow or "请从列表中选择" in follow or "不在您的管辖范围" in follow
    assert not CollectivePayment.objects.exists()


def test_reviewing_without_ticking_anyone_goes_back_with_the_reason(clerk_client, clerk_chezhan):
    unpaid_people(clerk_chezhan, 1, village=XIER)
    response = review(clerk_client, {"village": XIER, "year": "2022"})
    assert response.status_code == 302
    assert "请至少勾选一名" in clerk_client.get(response["Location"]).content.decode()


def test_another_townships_clerk_sees_neither_the_group_nor_the_payment(client, clerk_chezhan, clerk_other, demo):
    roll = a_roll(clerk_chezhan, people=1)
    people = unpaid_people(clerk_chezhan, 1, roll=roll)
    from tests.enrollment.collection.test_collective import record as record_collective
    collective = record_collective(people, clerk_chezhan, roll_import=roll)

    client.force_login(clerk_other)
    assert client.get(f"/station/collective/{collective.pk}/").status_code == 404
    assert client.get(f"/station/collective/{collective.pk}/", {"print": "1"}).status_code == 404
    page = client.get(COLLECTIVE, {"roll": roll.pk}).content.decode()
    assert "不在您的管辖范围内" in page and "代缴0" not in page
    refused = client.post(CONFIRM, {"action": "review", "roll": roll.pk, "whole": "1"})
    assert refused.status_code == 302 and not Payment.objects.exclude(collective=collective).filter(
        enrollment__in=people).exists()


def test_the_station_menu_leads_to_collective_payment(clerk_client):
    page = clerk_client.get("/station/").content.decode()
    assert 'href="/station/collective/">集体代缴</a>' in page
    chooser = clerk_client.get(COLLECTIVE).content.decode()
    assert "按导入名单" in chooser and "按村(社区)" in chooser and 'value="2022" selected' in chooser
