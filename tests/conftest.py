import importlib

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing takes ~0.3 s per password by design; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def outbox(settings):
    """Notifications sent during a test, in order (portal.notifications.MemoryBackend)."""
    from portal import notifications

    settings.NOTIFICATION_BACKEND = "portal.notifications.MemoryBackend"
    notifications.outbox.clear()
    yield notifications.outbox
    notifications.outbox.clear()


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate limits and remembered lookups must not leak from one test into the next.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo_network(db):
    """The demo service network of 淄博市 with its three staff accounts."""
    from django.apps import apps

    from portal.demo import load

    # A transactional test's flush empties the rows data migrations wrote; put them back.
    importlib.import_module("portal.migrations.0002_service_items").add_items(apps, None)
    load()


@pytest.fixture
def clerk_chezhan(demo_network):
    from django.contrib.auth.models import User

    return User.objects.get(username="clerk_chezhan")


@pytest.fixture
def clerk_other(demo_network):
    from django.contrib.auth.models import User

    return User.objects.get(username="clerk_other")


@pytest.fixture
def officer(demo_network):
    from django.contrib.auth.models import User

    return User.objects.get(username="officer")


@pytest.fixture
def demo(demo_network):
    """The demo network plus the enrollment demo: standards 2021 and 2022, residents, payments."""
    from enrollment.demo import load

    load()


@pytest.fixture
def on_2022_window(monkeypatch):
    """Pretend today is 2021-10-15, inside the 2022 collection window of the demo standard."""
    from datetime import date

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2021, 10, 15))
    return date(2021, 10, 15)
