import importlib

import pytest


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
