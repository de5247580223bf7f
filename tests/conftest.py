import pytest
from django.test import Client

from tests.demo import DEMO_LAYERS, FAST_HASHERS, demo_load
from tests.logins import force_login_password_only, otp_login


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
            force_login_password_only(client, user, backend)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def clerk_client(client, demo, clerk_chezhan):
    """A client signed in as the demo clerk of 车站街道."""
    client.force_login(clerk_chezhan)
    return client


@pytest.fixture
def officer_client(client, demo, officer):
    """A client signed in as the demo officer of 淄博市, past the second factor."""
    client.force_login(officer)
    return client


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


@pytest.fixture(scope="session", autouse=True)
def _a_redis_database_per_worker(worker_id):
    """With pytest-xdist, each worker has a Redis database of its own for every Redis cache:
    tests empty the cache, and one worker's flush must not empty another's rate limits."""
    from django.conf import settings
    from django.test import override_settings

    cache = settings.CACHES["default"]
    location = str(cache.get("LOCATION", ""))
    if worker_id == "master" or not location.startswith("redis"):
        yield
        return
    server, _, database = location.rpartition("/")
    own = int(database or 0) + 1 + int(worker_id.removeprefix("gw"))
    own_location = f"{server}/{own}"
    caches = {alias: {**config, "LOCATION": own_location} if str(config.get("LOCATION", "")).startswith("redis")
              else config for alias, config in settings.CACHES.items()}
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate limits and kept pages must not leak from one test into the next.
    from django.core.cache import caches

    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo data every test may use, loaded once per test session (tests/demo.py). Each test
    runs in a transaction that is rolled back, so it sees the demo as loaded whatever the tests
    before it wrote; tests that need only a few rows of their own build them with factories."""
    with django_db_blocker.unblock():
        demo_load()


def _transactional(request) -> bool:
    """Whether the test commits for real (threads, a live server): the database is flushed after
    each such test, so the demo it needs is loaded again (idempotently) before it."""
    marker = request.node.get_closest_marker("django_db")
    marked = marker is not None and bool(marker.kwargs.get("transaction", marker.args[0] if marker.args else False))
    return marked or bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture
def demo_network(request, db):
    """The demo service network of 淄博市 with its staff accounts."""
    if _transactional(request):
        demo_load(DEMO_LAYERS[:1])


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
        demo_load(DEMO_LAYERS[1:2])


@pytest.fixture
def demo_policies(request, demo_network):
    """The demo benefit policies of 淄博市, published: 2022 and 2021."""
    if _transactional(request):
        demo_load(DEMO_LAYERS[2:])


@pytest.fixture
def on_2022_window(monkeypatch):
    """Pretend today is 2021-10-15, inside the 2022 collection window of the demo standard."""
    from datetime import date

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2021, 10, 15))
    return date(2021, 10, 15)


@pytest.fixture
def full_disk(monkeypatch):
    """Files the portal writes whole (portal.shared.files) fail part-way, as on a full disk:
    half the bytes reach the disk, then the write raises ENOSPC."""
    import errno
    import os

    real_fdopen = os.fdopen

    class FillsUp:
        def __init__(self, file):
            self.file = file

        def write(self, data):
            self.file.write(data[: len(data) // 2])
            self.file.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name):
            return getattr(self.file, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

    monkeypatch.setattr(os, "fdopen", lambda *args, **kwargs: FillsUp(real_fdopen(*args, **kwargs)))
