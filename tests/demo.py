"""The demo data of the test run (load_demo's, without assistance's, whose tests load it)."""

import importlib

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The loaders of the apps' demo data, in this order.
DEMO_LAYERS = ("portal.network.demo.load", "enrollment.demo.load", "benefits.demo.load")


def demo_load(layers=DEMO_LAYERS) -> None:
    from django.apps import apps
    from django.test import override_settings
    from django.utils.module_loading import import_string

    # A transactional test's flush empties the rows data migrations wrote; put them back.
    importlib.import_module("portal.migrations.0002_service_items").add_items(apps, None)
    importlib.import_module("portal.migrations.0009_chronic_recognition_item").add_item(apps, None)
    importlib.import_module("portal.migrations.0011_residence_transfer_item").add_item(apps, None)
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        for layer in layers:
            import_string(layer)()
