"""The settings rules, checked in fresh interpreters with the environment a deployment would have."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PROJECT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "x7Kq2vP9mW4tR8yB3nF6hJ1cL5dS0gA2zX7eV9uQ4iO8pT3wY6rE1bN5mK0jH2",
    "ID_NUMBER_KEY": "a-production-id-number-key-of-sufficient-length-2026",
    "ALLOWED_HOSTS": "portal.example.gov.cn",
    "DATABASE_URL": "sqlite:////tmp/portal-settings-test.sqlite3",
    # The console backend, the default, would log residents' sign-in codes (my_insurance/checks.py).
    "NOTIFICATION_BACKEND": "portal.shared.notifications.HttpSmsGateway",
    "SMS_GATEWAY_URL": "https://sms.example.gov.cn/send",
}


def run_django(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ID_NUMBER_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_development_defaults_need_no_environment():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0


def test_production_refuses_the_development_secret_key():
    env = {**PRODUCTION_ENV}
    del env["SECRET_KEY"]
    result = run_django(["check"], **env)
    assert result.returncode != 0
    assert "DEBUG=False needs a SECRET_KEY of its own" in result.stderr


def test_production_refuses_the_development_id_number_key():
    env = {**PRODUCTION_ENV}
    del env["ID_NUMBER_KEY"]
    result = run_django(["check"], **env)
    assert result.returncode != 0
    assert "DEBUG=False needs an ID_NUMBER_KEY of its own" in result.stderr


def test_deploy_check_is_clean_with_the_documented_production_variables():
    result = run_django(["check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("cache_url", "backend"),
    [
        ("redis://127.0.0.1:6379/1", "portal.web.cache.ForgivingRedisCache"),
        ("", "django.core.cache.backends.locmem.LocMemCache"),
    ],
)
def test_cache_url_chooses_the_cache(cache_url, backend):
    result = run_django(
        ["shell", "-c", "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"],
        CACHE_URL=cache_url,
    )
    assert result.stdout.strip().splitlines()[-1] == backend, result.stderr
