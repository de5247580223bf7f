"""Security headers and cookies as production sends them, and templates that keep the Content
Security Policy strict (no inline script, no inline style, no on...= handlers)."""

import json
import re
from pathlib import Path

import pytest
from django.test import override_settings

from portal.network.demo import DEMO_PASSWORD
from tests.portal.test_settings import PRODUCTION_ENV, run_django

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"
PRODUCTION_LIKE = dict(
    DEBUG=False,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_SSL_REDIRECT=True,
    SECURE_REDIRECT_EXEMPT=[r"^healthz$"],
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}


def policy_of(response) -> dict[str, list[str]]:
    directives = [part.strip().split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.mark.django_db
@override_settings(**PRODUCTION_LIKE)
def test_pages_carry_the_security_headers(client):
    response = client.get("/", **HTTPS)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = policy_of(response)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
@override_settings(**PRODUCTION_LIKE)
def test_plain_http_is_sent_to_https(client):
    response = client.get("/notices/")
    assert response.status_code == 301 and response["Location"] == "https://testserver/notices/"


@override_settings(**PRODUCTION_LIKE)
def test_the_health_check_answers_plain_http_for_the_load_balancer(client, db):
    assert client.get("/healthz").status_code == 200


@override_settings(**PRODUCTION_LIKE)
def test_session_and_csrf_cookies_are_secure_and_the_session_cookie_is_httponly(client, clerk_chezhan):
    form = client.get("/accounts/login/", **HTTPS)
    csrf = form.cookies["csrftoken"]
    assert csrf["secure"]
    response = client.post("/accounts/login/", {"username": "clerk_chezhan", "password": DEMO_PASSWORD}, **HTTPS)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


@override_settings(**PRODUCTION_LIKE)
def test_the_admin_is_served_under_the_same_policy(client, officer):
    client.force_login(officer)
    response = client.get("/admin/", **HTTPS)
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_production_settings_turn_on_hsts_and_secure_cookies():
    """The settings module itself, loaded as a deployment loads it (not overridden here)."""
    names = [
        "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY",
        "SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SESSION_SAVE_EVERY_REQUEST",
    ]
    code = f"import json; from django.conf import settings as s; print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    result = run_django(["shell", "-c", code], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SESSION_COOKIE_AGE"] == 1800
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] and values["SESSION_SAVE_EVERY_REQUEST"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_script_or_style_that_the_policy_would_block(path):
    text = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to a file under static/js/"
    assert not INLINE_HANDLER.search(text), "on...= handler: attach it from a static script"
    assert not INLINE_STYLE.search(text), "inline style: use a class in static/css/portal.css"
