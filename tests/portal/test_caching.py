"""remembered(): the worker's memory first, then the shared cache, then the build."""

import pytest
from django.core.cache import caches

from portal.caching import KEPT_FORMAT, LOCAL_SECONDS, Generation, remembered


def counting(value):
    calls = []

    def build():
        calls.append(1)
        return value

    return build, calls


def test_a_value_is_built_once_and_kept_in_both_places():
    build, calls = counting({"path": "张店区 车站街道"})
    assert remembered("k", 60, build) == {"path": "张店区 车站街道"}
    assert remembered("k", 60, build) == {"path": "张店区 车站街道"}
    assert calls == [1]
    assert caches["local"].get("k") == caches["default"].get("k", version=KEPT_FORMAT)[0] == {"path": "张店区 车站街道"}


def test_another_worker_finds_the_value_in_the_shared_cache_without_building_it():
    build, calls = counting("built here")
    remembered("k", 60, build)
    caches["local"].clear()  # a worker that has not seen the key
    other_build, other_calls = counting("built again")
    assert remembered("k", 60, other_build) == "built here"
    assert other_calls == [] and caches["local"].get("k") == "built here"


def test_a_value_gone_from_both_places_is_built_again():
    remembered("k", 60, lambda: "old")
    caches["local"].clear()
    caches["default"].clear()
    assert remembered("k", 60, lambda: "new") == "new"


def test_a_worker_keeps_its_copy_only_as_long_as_the_shared_value_has_left(monkeypatch):
    from portal import caching

    clock = {"now": 1_700_000_000.0}
    monkeypatch.setattr(caching.time, "time", lambda: clock["now"])
    remembered("k", 60, lambda: "built at 0 s")
    caches["local"].clear()
    clock["now"] += 45  # another worker reads it 45 s after it was built
    kept_for = []
    monkeypatch.setattr(caches["local"], "set", lambda key, value, timeout: kept_for.append(timeout))
    assert remembered("k", 60, lambda: "built again") == "built at 0 s"
    assert kept_for == [15]


def test_a_value_of_an_earlier_release_in_the_shared_cache_is_not_read():
    caches["default"].set("k", ("old shape", 0))  # version 1, as the previous release kept it
    assert remembered("k", 60, lambda: "built") == "built"


# Following a generation

VILLAGES = Generation("villages")


def test_a_value_following_a_generation_is_shared_until_the_generation_advances():
    remembered("k", 86_400, lambda: "before", VILLAGES)
    caches["local"].clear()
    assert remembered("k", 86_400, lambda: "built again", VILLAGES) == "before"
    VILLAGES.advance()
    caches["local"].clear()
    assert remembered("k", 86_400, lambda: "after", VILLAGES) == "after"
    caches["local"].clear()
    assert remembered("k", 86_400, lambda: "built a third time", VILLAGES) == "after"


def test_values_kept_before_the_generation_was_lost_are_built_again():
    remembered("k", 86_400, lambda: "before", VILLAGES)
    caches["default"].delete(VILLAGES.key, version=KEPT_FORMAT)  # evicted, or Redis restarted
    caches["local"].clear()
    assert remembered("k", 86_400, lambda: "after", VILLAGES) == "after"
    caches["local"].clear()
    assert remembered("k", 86_400, lambda: "built again", VILLAGES) == "after"


def test_a_worker_keeps_its_copy_of_a_value_following_a_generation_a_minute_at_most(monkeypatch):
    from portal import caching

    monkeypatch.setattr(caching, "LocMemCache", type("NotThisCache", (), {}))  # treat default as shared
    kept_for = []
    monkeypatch.setattr(caches["local"], "set", lambda key, value, timeout: kept_for.append(timeout))
    remembered("k", 86_400, lambda: "value", VILLAGES)
    assert kept_for == [LOCAL_SECONDS] and LOCAL_SECONDS <= 60


def test_without_a_shared_cache_a_value_following_a_generation_lasts_no_longer_than_a_copy(monkeypatch):
    from django.core.cache.backends.locmem import LocMemCache

    if not isinstance(caches["default"], LocMemCache):
        pytest.skip("the shared cache is shared here")
    kept_for = []
    original = caches["default"].set
    monkeypatch.setattr(caches["default"], "set",
                        lambda key, value, timeout, **kw: kept_for.append(timeout) or original(key, value, timeout, **kw))
    remembered("k", 86_400, lambda: "value", VILLAGES)
    assert kept_for[-1] == LOCAL_SECONDS  # a save in another worker cannot advance this worker's token
