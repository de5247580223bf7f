"""A code cannot be guessed within its tries: five wrong tries void it, wrong tries are counted on
the code wherever they come from, and one person gets only so many codes an hour and a day, held
in the database across sessions, client addresses and an emptied cache."""

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from my_insurance.signin.models import SignInCode
from my_insurance.signin.rules import CODE_TRIES
from portal.privacy.models import AccessLogEntry
from tests.my_insurance.signin.steps import NOBODY, ask_code, code_sent, type_code, wrong

pytestmark = pytest.mark.django_db


def empty_every_cache() -> None:
    for cache in caches.all():
        cache.clear()


def test_five_wrong_codes_void_the_code_and_then_the_right_one_opens_nothing(visitor, outbox, wang):
    ask_code(visitor)
    code = code_sent(outbox)
    pages = [type_code(visitor, wrong(code)).content.decode() for _ in range(CODE_TRIES)]
    assert ["还可以再试 4 次" in pages[0], "还可以再试 1 次" in pages[3], "已输错 5 次，已经作废" in pages[4]] == [True] * 3
    assert "重新获取验证码" in pages[4]
    refused = type_code(visitor, code)
    assert refused.status_code == 200 and "失效" in refused.content.decode()
    row = SignInCode.objects.get(resident=wang)
    assert row.wrong_tries == CODE_TRIES and row.voided_at is not None and row.used_at is None
    assert visitor.get(reverse("my_insurance:home")).status_code == 302


def test_wrong_tries_count_on_the_code_whichever_session_and_address_they_come_from(outbox, wang):
    first = Client(REMOTE_ADDR="10.4.0.1")
    ask_code(first)
    code = code_sent(outbox)
    # A second browser holding the same waiting sign-in (its session copied), from elsewhere.
    second = Client(REMOTE_ADDR="10.4.0.2")
    second.cookies["sessionid"] = first.cookies["sessionid"].value
    for client in (first, first, second, second):
        type_code(client, wrong(code))
        empty_every_cache()
    assert "已经作废" in type_code(second, wrong(code)).content.decode()
    assert "失效" in type_code(first, code).content.decode()


def test_an_expired_code_is_refused_and_a_new_one_offered(visitor, outbox, wang, clock):
    ask_code(visitor)
    clock.step(minutes=5)
    page = type_code(visitor, code_sent(outbox)).content.decode()
    assert "验证码已过期" in page and reverse("my_insurance:sign_in") in page
    assert SignInCode.objects.get(resident=wang).voided_at is not None


def test_a_code_typed_just_before_five_minutes_still_signs_in(visitor, outbox, wang, clock):
    ask_code(visitor)
    clock.step(minutes=4, seconds=59)
    assert type_code(visitor, code_sent(outbox))["Location"] == reverse("my_insurance:home")


def test_a_decoy_expires_as_a_real_code_does(outbox, wang, clock):
    real, decoy = Client(REMOTE_ADDR="10.4.1.1"), Client(REMOTE_ADDR="10.4.1.2")
    ask_code(real)
    ask_code(decoy, id_number=NOBODY)
    clock.step(minutes=5)
    pages = [type_code(client, wrong(code_sent(outbox))).content.decode() for client in (real, decoy)]
    assert all("验证码已过期" in page for page in pages)


def test_codes_per_person_are_limited_across_sessions_and_addresses_with_the_cache_emptied(
        outbox, wang, settings, clock):
    settings.SIGN_IN_CODES_PER_HOUR = 3
    answers = []
    for attempt in range(6):
        client = Client(REMOTE_ADDR=f"10.5.{attempt}.1")
        empty_every_cache()  # as if Redis had restarted: only the database remembers
        asked = ask_code(client)
        answers.append(asked.status_code)
        if asked.status_code == 302:
            for _ in range(CODE_TRIES):
                type_code(client, wrong(code_sent(outbox)))
    assert answers == [302, 302, 302, 429, 429, 429]
    assert len(outbox) == 3
    assert sum(row.wrong_tries for row in SignInCode.objects.filter(resident=wang)) == 3 * CODE_TRIES
    refused = ask_code(Client(REMOTE_ADDR="10.5.9.9"))
    assert "获取登录验证码每小时最多 3 次" in refused.content.decode()
    assert AccessLogEntry.objects.filter(action="my_sign_in_attempt", detail__contains="超过频率限制").count() == 4
    # The next hour opens again.
    clock.step(hours=1)
    empty_every_cache()
    assert ask_code(Client(REMOTE_ADDR="10.5.9.10")).status_code == 302


def test_codes_per_person_are_limited_a_day_as_well(outbox, wang, settings, monkeypatch):
    settings.SIGN_IN_CODES_PER_HOUR = 100
    settings.SIGN_IN_CODES_PER_DAY = 4
    answers = []
    for attempt in range(6):
        empty_every_cache()
        answers.append(ask_code(Client(REMOTE_ADDR=f"10.6.{attempt}.1")).status_code)
    assert answers == [302, 302, 302, 302, 429, 429] and len(outbox) == 4


def test_the_cache_refuses_a_real_person_and_a_decoy_at_the_same_attempt(outbox, wang, settings):
    settings.SIGN_IN_CODES_PER_HOUR = 3
    real = [ask_code(Client(REMOTE_ADDR=f"10.7.{n}.1")).status_code for n in range(5)]
    decoy = [ask_code(Client(REMOTE_ADDR=f"10.8.{n}.1"), id_number=NOBODY).status_code for n in range(5)]
    assert real == decoy == [302, 302, 302, 429, 429]


def test_attempts_from_one_address_are_limited(outbox, wang, settings):
    settings.SIGN_IN_ATTEMPTS_PER_ADDRESS = 2
    client = Client(REMOTE_ADDR="10.9.0.1")
    answers = [ask_code(client, id_number=NOBODY).status_code for _ in range(2)] + [ask_code(client).status_code]
    assert answers == [302, 302, 429] and not outbox


def test_code_checks_from_one_address_are_limited(visitor, outbox, wang, settings):
    settings.SIGN_IN_CODE_CHECKS_PER_ADDRESS = 2
    ask_code(visitor)
    code = code_sent(outbox)
    type_code(visitor, wrong(code))
    type_code(visitor, wrong(code))
    refused = type_code(visitor, code)
    assert refused.status_code == 429 and "核对验证码每小时最多 2 次" in refused.content.decode()
    assert SignInCode.objects.get(resident=wang).wrong_tries == 2
