"""Redis is a cache, not a dependency: with it down (nothing listening) or frozen (a socket that
never answers), residents' and clerks' pages still answer, the lookup's limit still holds, and
/healthz says which dependency is down without sending the load balancer away."""

import socket
import threading
import time
from datetime import date

import pytest
from django.test import Client, override_settings

from portal.network.demo import DEMO_PASSWORD, DEMO_TOTP_KEY
from portal.privacy.id_numbers import make_id_number
from portal.web import cache as shared_cache
from tests.logins import otp_login

TIMEOUT = 0.2


def redis_caches(url: str) -> dict:
    options = {"socket_timeout": TIMEOUT, "socket_connect_timeout": TIMEOUT}
    return {
        "default": {"BACKEND": "portal.web.cache.ForgivingRedisCache", "LOCATION": url, "OPTIONS": options},
        "ratelimit": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "OPTIONS": options},
        "ratelimit-local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "outage"},
    }


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again on leaving: connections are refused


@pytest.fixture
def frozen_redis():
    """A server that accepts connections and never answers, as Redis does under ``kill -STOP``."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()
    for connection in held:
        connection.close()


@pytest.fixture(autouse=True)
def _no_outage_remembered():
    shared_cache.outage.ended()
    yield
    shared_cache.outage.ended()


@pytest.fixture
def redis_down(settings):
    with override_settings(CACHES=redis_caches(f"redis://127.0.0.1:{closed_port()}/0")):
        yield


def test_public_pages_answer_with_redis_down(redis_down, demo, on_2022_window, client):
    assert client.get("/premium/", {"region": "370303001001"}).status_code == 200
    assert client.get("/premium/", {"region": "370303001001"}).status_code == 200  # no kept copy: built again
    found = client.post("/lookup/", {"name": "王秀兰", "id_number": "370303195203151223"})
    assert found.status_code == 200 and "王*兰" in found.content.decode()
    assert client.get("/estimate/").status_code == 200
    assert client.get("/").status_code == 200


def test_the_lookup_limit_still_holds_with_redis_down(redis_down, demo, on_2022_window, client):
    answers = [
        client.post("/lookup/", {"name": "某某", "id_number": make_id_number("370303", date(1980, 1, 1), 901 + n)},
                    REMOTE_ADDR="198.51.100.7").status_code
        for n in range(6)
    ]
    assert answers == [200] * 5 + [429]  # counted in this worker's memory


def test_staff_sign_in_and_station_pages_work_with_redis_down(redis_down, demo, clerk_chezhan):
    from django_otp.oath import totp

    client = Client()
    password = client.post("/accounts/login/", {"username": "officer", "password": DEMO_PASSWORD})
    assert password.status_code == 302
    code = client.post("/accounts/login/code/", {"code": f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}", "next": "/admin/"})
    assert code.status_code == 302 and client.get("/admin/").status_code == 200

    clerk = otp_login(Client(), clerk_chezhan)
    for url in ("/station/", "/station/residents/?q=王秀兰", "/station/follow-up/", "/station/imports/"):
        assert clerk.get(url).status_code == 200, url


def test_healthz_says_the_cache_is_down_and_still_answers_200(redis_down, db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "down"}


def test_a_frozen_redis_holds_a_page_for_one_timeout_and_then_not_at_all(frozen_redis, demo, on_2022_window):
    client = Client()
    with override_settings(CACHES=redis_caches(frozen_redis)):
        started = time.monotonic()
        assert client.get("/premium/", {"region": "370303001001"}).status_code == 200
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(3):
            assert client.post("/lookup/", {"name": "王秀兰", "id_number": "370303195203151223"}).status_code == 200
        after = time.monotonic() - started
    assert first < 2 * TIMEOUT + 1.0  # one read timed out; the worker then left Redis alone
    assert after < 1.0  # no further timeouts while the outage is remembered


def test_the_shared_cache_is_tried_again_after_the_retry_time(redis_down, settings, monkeypatch):
    from django.core.cache import cache

    settings.CACHE_RETRY_SECONDS = 5
    assert cache.get("anything", "miss") == "miss"
    assert shared_cache.outage.ongoing()
    later = time.monotonic() + 6
    monkeypatch.setattr(shared_cache.time, "monotonic", lambda: later)
    assert not shared_cache.outage.ongoing()


def test_an_identity_list_that_cannot_wait_in_the_cache_is_refused_with_the_reason(redis_down, demo, officer):
    from assistance.models import AssistanceIdentity
    from tests.assistance.identities.test_imports import csv_file, good_rows

    client = Client()
    client.force_login(officer)
    response = client.post("/admin/assistance/assistanceidentity/import/", {"file": csv_file(good_rows())})
    page = response.content.decode()
    assert response.status_code == 200 and "暂时无法暂存这份名单" in page and 'name="confirm"' not in page
    assert not AssistanceIdentity.objects.exists()
