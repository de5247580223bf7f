import importlib

import pytest
from django.test import Client

_force_login_password_only = Client.force_login
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def otp_login(client, user) -> None:
    """Sign ``user`` in with both factors, as the login and code pages would: force_login plus a
    session that passed the user's authenticator (a confirmed one is added if they have none)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="测试身份验证器", confirmed=True)
    _force_login_password_only(client, user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def force_login_password_only(client, user) -> None:
    """Django's force_login untouched: a session that has not passed any second factor."""
    _force_login_password_only(client, user)


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    # force_login stands for a complete sign-in, and for officers that includes the second
    # factor the admin insists on; tests of the second factor itself use the real pages or
    # force_login_password_only.
    from portal.accounts.roles import second_factor_required

    def force_login(client, user, backend=None):
        if second_factor_required(user):
            otp_login(client, user)
        else:
            _force_login_password_only(client, user, backend)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing takes ~0.3 s per password by design; tests create many accounts.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def outbox(settings):
    """Notifications sent during a test, in order (portal.shared.notifications.MemoryBackend)."""
    from portal.shared import notifications

    settings.NOTIFICATION_BACKEND = "portal.shared.notifications.MemoryBackend"
    notifications.outbox.clear()
    yield notifications.outbox
    notifications.outbox.clear()


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate limits and remembered pages must not leak from one test into the next.
    from django.core.cache import caches

    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


# The demo data every test may use, loaded once per test session (DEMO_LAYERS, in this order).
# Each test runs in a transaction that is rolled back, so it sees the demo as loaded whatever the
# tests before it wrote. Tests that need only a few rows of their own build them with factories.
DEMO_LAYERS = ("portal.network.demo.load", "enrollment.demo.load", "benefits.demo.load")


def _demo_load(layers=DEMO_LAYERS) -> None:
    from django.apps import apps
    from django.test import override_settings
    from django.utils.module_loading import import_string

    # A transactional test's flush empties the rows data migrations wrote; put them back.
    importlib.import_module("portal.migrations.0002_service_items").add_items(apps, None)
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        for layer in layers:
            import_string(layer)()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _demo_load()


def _transactional(request) -> bool:
    """Whether the test commits for real (threads, a live server): the database is flushed after
    each such test, so the demo it needs is loaded again (idempotently) before it."""
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture
def demo_network(request, db):
    """The demo service network of 淄博市 with its staff accounts."""
    if _transactional(request):
        _demo_load(DEMO_LAYERS[:1])


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
def demo(request, demo_network):
    """The demo network plus the enrollment demo: standards 2021 and 2022, residents, payments."""
    if _transactional(request):
        _demo_load(DEMO_LAYERS[1:2])


@pytest.fixture
def demo_policies(request, demo_network):
    """The demo benefit policies of 淄博市, published: 2022 and 2021."""
    if _transactional(request):
        _demo_load(DEMO_LAYERS[2:])


@pytest.fixture
def on_2022_window(monkeypatch):
    """Pretend today is 2021-10-15, inside the 2022 collection window of the demo standard."""
    from datetime import date

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2021, 10, 15))
    return date(2021, 10, 15)
