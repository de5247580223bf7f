"""我的医保's first page: covered today or not, every year's enrollment with what was charged and
paid (and how), and the years without one with what to do."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from enrollment.models import Enrollment, Payment, Resident
from enrollment.services import refund_approve, refund_request
from tests.my_insurance.signing_in import resident_client

pytestmark = pytest.mark.django_db


def flat(html: str) -> str:
    """What a reader sees, with tags and every space dropped, so that line breaks in templates
    do not matter: "个人缴 210.00 元" reads "个人缴210.00元"."""
    return "".join(re.sub(r"<[^>]+>", "", html).split())


def text_of(response) -> str:
    return flat(response.content.decode())


def year_cards(response, year: int) -> list[str]:
    """The text of each card of ``year`` (an enrollment, or the year not enrolled)."""
    cards = response.content.decode().split('<li class="year-card')[1:]
    return [flat(card) for card in cards if re.search(rf'<h3 class="h5">{year} 年度', card)]


def year_card(response, year: int) -> str:
    (card,) = year_cards(response, year)
    return card


def test_someone_not_signed_in_is_sent_to_sign_in(client, demo):
    response = client.get(reverse("my_insurance:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("my_insurance:sign_in"))


def test_a_paid_year_shows_what_was_charged_paid_when_how_and_the_receipt_to_check(wang, wang_client, in_2022):
    payment = Payment.objects.get(enrollment__resident=wang, enrollment__year=2022)
    response = wang_client.get(reverse("my_insurance:home"))
    assert response.status_code == 200
    assert "今天（2022年6月15日）可以享受医保待遇。2022年度已参保、已缴费" in text_of(response)
    card = year_card(response, 2022)
    assert "成年居民，低保对象" in card
    assert "个人缴费标准410.00元" in card and "资助200.00元" in card and "个人应缴210.00元" in card
    assert "个人缴210.00元，2021年10月10日，现金" in card
    assert "2022年1月1日至2022年12月31日" in card
    # The receipt number opens the public receipt check.
    verify = reverse("receipt_verify", args=[payment.verification_code])
    assert f'href="{verify}"' in response.content.decode() and payment.receipt_number in card


def test_a_year_not_enrolled_says_what_to_do_while_it_can_still_be_registered(demo, in_2022):
    zhao = Resident.objects.get(name="赵伟")  # the demo's 赵伟 enrolled for 2021, not for 2022
    response = resident_client(zhao).get(reverse("my_insurance:home"))
    card = year_card(response, 2022)
    assert "未参保。看看2022年度要交多少钱，到下面的服务站办理。" in card
    assert "参保登记要带什么、怎么办" in card
    assert f'href="{reverse("guide", args=["registration"])}"' in response.content.decode()
    assert "已登记" not in card and "个人缴" in year_card(response, 2021)
    assert "您的服务站" in text_of(response)


def test_an_unpaid_year_says_so_and_where_to_pay(demo):
    liu = Resident.objects.get(name="刘桂英")  # enrolled for 2022 and never paid
    response = resident_client(liu).get(reverse("my_insurance:home"))
    assert "没有缴费" in year_card(response, 2022)


def test_a_cancelled_enrollment_shows_as_cancelled_and_its_year_as_not_enrolled(wang, wang_client, clerk_chezhan,
                                                                                 in_2022):
    enrollment = Enrollment.objects.get(resident=wang, year=2022)
    refund = refund_request(enrollment=enrollment, reason="duplicate", clerk=clerk_chezhan)
    refund_approve(refund=refund, approver=User.objects.get(username="officer"))
    response = wang_client.get(reverse("my_insurance:home"))
    # The year first, as not enrolled; then the cancelled enrollment with its refund.
    not_enrolled, cancelled = year_cards(response, 2022)
    assert "未参保" in not_enrolled and "已注销" not in not_enrolled
    assert "已注销" in cancelled and "不能享受这一年度的待遇" in cancelled
    assert "已申请退费210.00元（重复参保，" in cancelled and "已批准" in cancelled
    assert "今天（2022年6月15日）不在医保待遇享受期内" in text_of(response)


def test_the_page_links_to_the_other_pages_and_marks_itself_current(wang_client):
    html = wang_client.get(reverse("my_insurance:home")).content.decode()
    for name in ("care", "assistance", "household"):
        assert f'href="{reverse(f"my_insurance:{name}")}"' in html
    current = re.findall(r'<a class="nav-link active" href="([^"]+)" aria-current="page"', html)
    assert current == [reverse("my_insurance:home")]


def test_the_pages_answer_only_get_and_change_nothing(wang_client):
    for name in ("home", "care", "assistance", "household"):
        assert wang_client.post(reverse(f"my_insurance:{name}")).status_code == 405
