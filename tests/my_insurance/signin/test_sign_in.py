"""Signing in to 我的医保: name, ID number and the phone's last four digits, then the code texted
to the phone on record; the answers that must not tell a real person from a wrong guess."""

import logging
import re
import sys

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from my_insurance.signin.models import SignInCode
from portal.network.points import local_points
from portal.privacy.id_vault import id_digest
from portal.privacy.models import AccessLogEntry
from portal.shared.notifications import NotificationFailed
from tests.my_insurance.signin.steps import (
    NOBODY,
    WANG,
    WANG_LAST_FOUR,
    ask_code,
    code_sent,
    details,
    type_code,
    wrong,
)
from tests.my_insurance.signing_in import resident_client

pytestmark = pytest.mark.django_db

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def entries(action: str) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(action=action).order_by("pk"))


def test_the_page_asks_for_name_id_number_and_the_last_four_digits(visitor):
    page = visitor.get(reverse("my_insurance:sign_in")).content.decode()
    assert "登录我的医保" in page
    for label in ("姓名", "身份证号", "手机号后四位"):
        assert label in page
    assert 'name="csrfmiddlewaretoken"' in page


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": ""}, "请填写姓名。"),
    ({"id_number": ""}, "请填写 18 位身份证号。"),
    ({"id_number": "370303195203151224"}, "校验位不符"),
    ({"id_number": "3703031952031512"}, "18 位"),
    ({"phone_last_four": ""}, "请填写手机号的后 4 位数字。"),
    ({"phone_last_four": "51a2"}, "请填写手机号的后 4 位数字，例如 1234。"),
    ({"phone_last_four": "05122"}, "请填写手机号的后 4 位数字，例如 1234。"),
])
def test_bad_details_are_answered_in_chinese_and_nothing_is_sent_or_logged(visitor, outbox, changes, message):
    response = ask_code(visitor, **changes)
    assert response.status_code == 200 and message in response.content.decode()
    assert not outbox and not SignInCode.objects.exists() and not entries("my_sign_in_attempt")
    # The typed number is not written back into the page.
    assert WANG not in response.content.decode()


def test_full_width_digits_and_spaces_are_read_as_digits(visitor, outbox, wang):
    response = ask_code(visitor, phone_last_four="５１ ２２")
    assert response.status_code == 302 and len(outbox) == 1


def test_matching_details_text_a_code_to_the_phone_on_record(visitor, outbox, wang):
    response = ask_code(visitor)
    assert response.status_code == 302 and response["Location"] == reverse("my_insurance:sign_in_code")
    (message,) = outbox
    assert message.phone == wang.phone and message.kind == "sign_in_code"
    assert re.search(r"验证码是 [0-9]{6}，5 分钟内有效", message.message)
    (row,) = SignInCode.objects.filter(resident=wang)
    assert row.phone_masked == "139****5122" and row.used_at is None and row.voided_at is None
    page = visitor.get(response["Location"]).content.decode()
    assert "如信息无误，验证码已发送至尾号 5122 的手机" in page


def test_the_right_code_signs_the_resident_in_to_my_insurance(visitor, outbox, wang):
    ask_code(visitor)
    response = type_code(visitor, code_sent(outbox))
    assert response.status_code == 302 and response["Location"] == reverse("my_insurance:home")
    assert visitor.get(reverse("my_insurance:home")).status_code == 200
    assert SignInCode.objects.get(resident=wang).used_at is not None
    # A code opens one sign-in only.
    visitor.post(reverse("my_insurance:sign_out"))
    ask_again = Client()
    ask_code(ask_again)
    assert type_code(ask_again, code_sent(outbox[:1])).status_code == 200


def test_after_signing_in_the_resident_goes_on_to_the_page_they_asked_for(visitor, outbox, wang):
    household = reverse("my_insurance:household")
    sent_to_sign_in = visitor.get(household)
    assert sent_to_sign_in.status_code == 302
    sign_in_url = sent_to_sign_in["Location"]
    assert sign_in_url == reverse("my_insurance:sign_in") + "?next=%2Fmy%2Fhousehold%2F"
    form = visitor.get(sign_in_url).content.decode()
    assert 'action="/my/sign-in/?next=/my/household/"' in form or 'action="/my/sign-in/?next=%2Fmy%2Fhousehold%2F"' in form
    visitor.post(sign_in_url, details())
    assert type_code(visitor, code_sent(outbox))["Location"] == household


@pytest.mark.parametrize("next_url", ["https://evil.example/my/", "//evil.example/my/", "/station/", "/admin/",
                                      "/my\\@evil.example", "javascript:alert(1)"])
def test_a_next_address_outside_my_insurance_is_ignored(visitor, outbox, wang, next_url):
    visitor.post(reverse("my_insurance:sign_in") + "?" + "next=" + next_url, details())
    assert type_code(visitor, code_sent(outbox))["Location"] == reverse("my_insurance:home")


def test_a_resident_without_a_mobile_phone_is_told_to_go_to_their_station(visitor, outbox, wang):
    wang.phone = "0533-2345678"  # a landline cannot receive a text
    wang.save(update_fields=["phone"])
    response = ask_code(visitor, phone_last_four="5678")
    page = response.content.decode()
    assert response.status_code == 200 and "请先到服务站登记手机号" in page
    local = local_points(wang.region)
    assert local.township_station and local.township_station.name in page
    assert not outbox and not SignInCode.objects.exists()
    (entry,) = entries("my_sign_in_attempt")
    assert entry.detail == "结果：无手机号" and entry.subject_digest == wang.id_digest


def code_page_after(changes: dict, outbox, address: str) -> tuple[list[str], int]:
    """What a visitor sees asking for a code with ``changes`` and then typing five wrong codes:
    the pages with the CSRF token and the typed last four digits taken out, and the texts sent."""
    client = Client(REMOTE_ADDR=address)
    sent_before = len(outbox)
    asked = ask_code(client, **changes)
    pages = [f"{asked.status_code} {asked.get('Location')}"]
    typed = changes.get("phone_last_four", WANG_LAST_FOUR)

    def shown(response) -> str:
        text = CSRF_TOKEN.sub("", response.content.decode()).replace(f"尾号 {typed} ", "尾号 XXXX ")
        return f"{response.status_code} {text}"

    pages.append(shown(client.get(asked["Location"])))
    for _ in range(6):  # five wrong tries, and one more after the code is void
        pages.append(shown(type_code(client, "000000" if not outbox[sent_before:] else wrong(code_sent(outbox)))))
    return pages, len(outbox) - sent_before


def test_unknown_person_wrong_name_and_wrong_phone_get_the_answers_of_a_real_send(outbox, wang):
    real, real_sent = code_page_after({}, outbox, "10.2.0.1")
    assert real_sent == 1
    assert "还可以再试 4 次" in real[2] and "已经作废" in real[6] and "失效" in real[7]
    for changes, address in (({"id_number": NOBODY}, "10.2.0.2"), ({"name": "王秀英"}, "10.2.0.3"),
                             ({"phone_last_four": "5123"}, "10.2.0.4")):
        pages, sent = code_page_after(changes, outbox, address)
        assert sent == 0, changes
        assert pages == real, changes


def test_every_attempt_is_logged_with_its_outcome_and_the_typed_numbers_digest(outbox, wang):
    for changes in ({}, {"id_number": NOBODY}, {"name": "王秀英"}, {"phone_last_four": "0000"}):
        ask_code(Client(), **changes)
    assert [(e.detail, e.subject_digest) for e in entries("my_sign_in_attempt")] == [
        ("结果：已发送", wang.id_digest),
        ("结果：信息不符（无此身份证号）", id_digest(NOBODY)),
        ("结果：信息不符（姓名不符）", wang.id_digest),
        ("结果：信息不符（手机号后四位不符）", wang.id_digest),
    ]
    # Whoever typed the details has not shown to be the resident they name: never logged as "居民本人".
    assert all(e.username == "（未验证身份的访客）" and e.user is None for e in entries("my_sign_in_attempt"))


def test_failed_codes_the_sign_in_and_the_sign_out_are_logged(visitor, outbox, wang):
    ask_code(visitor)
    code = code_sent(outbox)
    type_code(visitor, wrong(code))
    type_code(visitor, code)
    visitor.post(reverse("my_insurance:sign_out"))
    (failed,) = entries("my_sign_in_code_failed")
    assert failed.detail == "验证码错误（还可再试 4 次）" and failed.subject_digest == wang.id_digest
    assert failed.username == "（未验证身份的访客）"
    assert [e.username for e in entries("my_sign_in") + entries("my_sign_out")] == ["（居民本人）"] * 2
    assert [e.subject_digest for e in entries("my_sign_in")] == [wang.id_digest]
    assert [e.subject_digest for e in entries("my_sign_out")] == [wang.id_digest]
    assert visitor.get(reverse("my_insurance:home")).status_code == 302


def test_the_code_is_never_stored_logged_or_kept_in_the_session(visitor, outbox, wang, caplog):
    caplog.set_level(logging.DEBUG)
    ask_code(visitor)
    code = code_sent(outbox)
    waiting = Session.objects.get(session_key=visitor.cookies["sessionid"].value).get_decoded()
    assert waiting and code not in str(waiting)
    type_code(visitor, wrong(code))
    type_code(visitor, code)
    row = SignInCode.objects.filter(resident=wang).values().get()
    assert len(row["code_digest"]) == 64 and row["code_digest"] != code
    assert not any(code in str(value) for name, value in row.items() if name != "code_digest")
    assert not any(code in entry.detail for entry in AccessLogEntry.objects.all())
    signed_in = Session.objects.get(session_key=visitor.cookies["sessionid"].value).get_decoded()
    assert signed_in and code not in str(signed_in)
    assert code not in caplog.text


def test_an_error_report_of_a_failed_check_shows_neither_the_code_nor_the_details_typed(visitor, outbox, wang,
                                                                                      monkeypatch):
    """A check that fails on the way (here the verdict; in life the database) leaves the code live:
    the error report mailed to the admins, or the DEBUG page, must not show it."""
    from django.core.signals import got_request_exception
    from django.views.debug import ExceptionReporter

    from my_insurance.signin import services

    failures = []

    def keep(sender, request, **kwargs):
        failures.append((request, *sys.exc_info()))

    visitor.raise_request_exception = False
    ask_code(visitor)
    code = code_sent(outbox)
    got_request_exception.connect(keep)
    try:
        monkeypatch.setattr(services.rules, "code_verdict", lambda **kwargs: 1 / 0)
        assert type_code(visitor, code).status_code == 500
    finally:
        got_request_exception.disconnect(keep)
    report = str(ExceptionReporter(*failures[-1]).get_traceback_html())
    assert "ZeroDivisionError" in report and "sign_in_code_check" in report
    assert code not in report
    # What the sign-in page was sent is hidden too, should it fail.
    monkeypatch.setattr("my_insurance.signin.views.refusal_of", lambda limits: 1 / 0)
    got_request_exception.connect(keep)
    try:
        assert ask_code(visitor).status_code == 500
    finally:
        got_request_exception.disconnect(keep)
    report = str(ExceptionReporter(*failures[-1]).get_traceback_html())
    assert "王秀兰" not in report and "ZeroDivisionError" in report


def test_a_new_code_voids_the_one_before(outbox, wang):
    first, second = Client(), Client(REMOTE_ADDR="10.3.0.2")
    ask_code(first)
    old = code_sent(outbox)
    ask_code(second)
    assert "失效" in type_code(first, old).content.decode()
    assert type_code(second, code_sent(outbox))["Location"] == reverse("my_insurance:home")
    assert SignInCode.objects.filter(resident=wang).live().count() == 0


class FailingGateway:
    def send(self, notification):
        raise NotificationFailed("gateway down")


def test_a_failed_text_voids_the_code_and_asks_the_resident_to_try_later(visitor, settings, wang):
    settings.NOTIFICATION_BACKEND = f"{__name__}.FailingGateway"
    response = ask_code(visitor)
    assert response.status_code == 200 and "短信验证码没有发送成功，请过几分钟再试" in response.content.decode()
    assert SignInCode.objects.get(resident=wang).voided_at is not None
    assert entries("my_sign_in_attempt")[-1].detail == "结果：短信发送失败"
    assert visitor.get(reverse("my_insurance:sign_in_code")).status_code == 302  # nothing awaits a code


def test_the_code_page_without_details_sends_to_the_sign_in_page(visitor):
    response = visitor.get(reverse("my_insurance:sign_in_code"))
    assert response.status_code == 302 and response["Location"] == reverse("my_insurance:sign_in")


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef"])
def test_a_code_that_is_not_six_digits_is_answered_in_chinese_and_not_counted(visitor, outbox, wang, typed):
    ask_code(visitor)
    page = type_code(visitor, typed).content.decode()
    assert "6 位数字" in page
    assert SignInCode.objects.get(resident=wang).wrong_tries == 0


def test_a_signed_in_resident_opening_the_sign_in_page_goes_to_my_insurance(wang):
    response = resident_client(wang).get(reverse("my_insurance:sign_in"))
    assert response.status_code == 302 and response["Location"] == reverse("my_insurance:home")
