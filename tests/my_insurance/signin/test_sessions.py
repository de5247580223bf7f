"""The resident's session: it ends after RESIDENT_IDLE_MINUTES without a request and with the
browser, starts under a new key, and never opens a page of the station or the admin."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from my_insurance import session
from tests.logins import otp_login
from tests.my_insurance.signin.steps import ask_code, code_sent, details, type_code
from tests.my_insurance.signing_in import resident_client
from tests.test_scope_everywhere import addresses

pytestmark = pytest.mark.django_db


def signed_in(client: Client, outbox):
    ask_code(client)
    return type_code(client, code_sent(outbox))


def test_a_resident_session_ends_after_the_idle_minutes(visitor, outbox, wang, monkeypatch):
    signed_in(visitor, outbox)
    start = session.now()
    idle = settings.RESIDENT_IDLE_MINUTES * 60
    home = reverse("my_insurance:home")
    monkeypatch.setattr(session, "now", lambda: start + idle - 30)
    assert visitor.get(home).status_code == 200
    # Each request starts the idle time again.
    monkeypatch.setattr(session, "now", lambda: start + 2 * idle - 60)
    assert visitor.get(home).status_code == 200
    monkeypatch.setattr(session, "now", lambda: start + 3 * idle)
    response = visitor.get(home)
    assert response.status_code == 302 and response["Location"].startswith(reverse("my_insurance:sign_in"))
    # Gone for good, not only for that request.
    monkeypatch.setattr(session, "now", lambda: start + 3 * idle + 1)
    assert visitor.get(home).status_code == 302


def test_the_session_cookie_ends_with_the_browser(visitor, outbox, wang):
    response = signed_in(visitor, outbox)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value and cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"]


def test_signing_in_starts_a_new_session_key(visitor, outbox, wang):
    ask_code(visitor)
    waiting = visitor.cookies[settings.SESSION_COOKIE_NAME].value
    type_code(visitor, code_sent(outbox))
    assert visitor.cookies[settings.SESSION_COOKIE_NAME].value not in ("", waiting)
    # The key a page or a person may have seen before sign-in opens nothing.
    old = Client()
    old.cookies[settings.SESSION_COOKIE_NAME] = waiting
    assert old.get(reverse("my_insurance:home")).status_code == 302


def test_signing_in_gives_a_new_csrf_token_so_a_planted_one_forges_nothing(outbox, wang):
    client = Client(enforce_csrf_checks=True)
    # A token known before sign-in: the cookie may have been set by a sibling subdomain, and the
    # form token that goes with it is then the forger's.
    planted = client.get(reverse("my_insurance:sign_in")).context["csrf_token"]
    cookie_before = client.cookies[settings.CSRF_COOKIE_NAME].value
    client.post(reverse("my_insurance:sign_in"), {**details(), "csrfmiddlewaretoken": planted})
    page = client.post(reverse("my_insurance:sign_in_code"), {"code": code_sent(outbox), "csrfmiddlewaretoken": planted})
    assert page.status_code == 302 and client.get(reverse("my_insurance:home")).status_code == 200
    assert client.cookies[settings.CSRF_COOKIE_NAME].value not in ("", cookie_before)
    # A forged form carrying the old token, posted by the signed-in browser, is refused.
    forged = client.post(reverse("my_insurance:proofs"), {"years": ["2022"], "csrfmiddlewaretoken": planted})
    assert forged.status_code == 403


def test_signing_in_as_a_resident_signs_a_clerk_out(outbox, wang, clerk_chezhan):
    client = otp_login(Client(), clerk_chezhan)
    assert client.get(reverse("station:home")).status_code == 200
    signed_in(client, outbox)
    assert client.get(reverse("my_insurance:home")).status_code == 200
    assert client.get(reverse("station:home")).status_code == 302


def test_a_resident_session_never_opens_a_station_or_admin_page(wang):
    client = resident_client(wang)
    assert client.get(reverse("my_insurance:home")).status_code == 200
    opened, checked = [], 0
    for address in addresses():
        if address.area not in ("station", "admin"):
            continue
        url = address.url(*[wang.pk] * 3)
        for method in ("get", "post"):
            answer = getattr(client, method)(url)
            if answer.status_code == 200 or answer.status_code >= 500:
                opened.append(f"{method.upper()} {url}: {answer.status_code}")
        checked += 1
    assert checked > 100  # the discovery found the station's and the admin's pages
    assert not opened, "\n".join(opened)
    assert client.get(reverse("my_insurance:home")).status_code == 200
