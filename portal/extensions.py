"""Pages of one app that other apps add to, without the owner importing them.

Dependencies point one way (assistance -> enrollment -> portal), yet the station dashboard, its
navigation and the public lookup (enrollment) show assistance items. An app names what it adds
in an attribute of its AppConfig: a list of dotted paths, gathered here in INSTALLED_APPS order.
The page owner calls ``contributions("hook")`` and uses each thing the way the hook says: most
hooks name functions; ``lookup_sections`` names ``enrollment.lookup_records.LookupSection``s.
"""

from functools import cache
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string


@cache
def contributions(hook: str) -> tuple[Any, ...]:
    found = []
    for config in apps.get_app_configs():
        for dotted in getattr(config, hook, ()):
            found.append(import_string(dotted))
    return tuple(found)
