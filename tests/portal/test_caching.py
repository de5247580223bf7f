"""remembered(): the worker's memory first, then the shared cache, then the build."""

from django.core.cache import caches

from portal.caching import remembered


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
    assert caches["local"].get("k") == caches["default"].get("k")[0] == {"path": "张店区 车站街道"}


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
