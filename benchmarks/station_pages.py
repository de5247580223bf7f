"""Station pages of a township of 30,000 residents (车站街道) at the size seed_scale.py made:
the dashboard, the participation progress, the 未参保名单, the follow-up list (first and last
page) and the resident search (by a name prefix and by an ID number), as the demo clerk
``clerk_chezhan``; the city's participation progress (every resident of 淄博) as the demo
``officer``; and, for their query plans,
the public lookup and premium page (lookup_load.py measures those under load). Prints the median
and the spread of N timed requests per page, the query count, and EXPLAIN ANALYZE of each page's
slowest query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/station_pages.py \
        [--runs 15] [--no-explain]

Requests go through Django's test client in this process, with the production settings of the
load tests (DEBUG=False, the whole middleware stack, cached templates) and a kept connection, so
the figures are the server's time for a page without the network and gunicorn. Year 2022 is
chosen explicitly: it is the year the data set has enrollments and payments for. The cache is
this process's memory (not Redis), cleared before each public request so that the lookup's
rate limit never answers instead of the page (the lookup then builds its village's part each
time: the figure is a first visit's).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from scale_people import BENCH_ENV, DATABASE_NAME, STATION_RESIDENTS, person  # noqa: E402

CLERK = "clerk_chezhan"
TARGET_MS = 150


CITY_TARGET_MS = 1000  # the city's progress: an officer's page, read a few times a day


def pages(follow_up_pages: int, last_page_after: int, residents: int) -> list[tuple[str, str, str, str, dict]]:
    """(label, as whom, method, path, data) of each measured page. The follow-up list's last
    page is asked for as its link asks: after the last person of the page before it."""
    someone = person(STATION_RESIDENTS // 2)  # lives in 车站街道
    anyone = person(residents - 1)  # lives in the last generated village
    return [
        ("dashboard", "clerk", "get", "/station/", {"year": "2022"}),
        ("participation progress", "clerk", "get", "/station/progress/", {"year": "2022"}),
        ("未参保名单, page 1", "clerk", "get", "/station/uninsured/", {"year": "2022"}),
        ("follow-up list, page 1", "clerk", "get", "/station/follow-up/", {"year": "2022"}),
        (f"follow-up list, page {follow_up_pages} (last)", "clerk", "get", "/station/follow-up/",
         {"year": "2022", "after": str(last_page_after)}),
        ("search by name prefix (王)", "clerk", "post", "/station/residents/", {"query": "王"}),
        ("search by full name", "clerk", "post", "/station/residents/", {"query": someone.name}),
        ("search by ID number", "clerk", "post", "/station/residents/", {"query": someone.number}),
        ("city progress (officer)", "officer", "get", "/station/progress/", {"year": "2022"}),
        ("public lookup (found)", "public", "post", "/lookup/", {"name": anyone.name, "id_number": anyone.number}),
        ("public premium page", "public", "get", "/premium/", {"region": "370303001001", "category": "adult"}),
    ]


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(line for (line,) in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database", default=DATABASE_NAME)
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args()
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to the PostgreSQL server that holds the seeded database.")
    os.environ.update({
        **BENCH_ENV, "DATABASE_URL": urlunsplit(urlsplit(server_url)._replace(path=f"/{args.database}")),
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
        # This process's own memory cache: clearing it between public requests resets the rate
        # limits without touching a shared Redis.
        "CACHE_URL": "",
    })
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG=False pages name hashed files
    from django.contrib.auth.models import User
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from enrollment.models import Resident
    from enrollment.selectors import follow_up
    from portal.network.models import Region
    from portal.web.pagination import PER_PAGE

    township = Region.objects.get(code="370303001000")
    residents = Resident.objects.within(township).count()
    listed = follow_up(township, year=2022).count()
    last_page = -(-listed // PER_PAGE)
    if last_page < 2:
        sys.exit(f"{township.name}'s follow-up list has {listed} people, not two pages: seed the data set first.")
    last_page_after = follow_up(township, year=2022).values_list("pk", flat=True)[(last_page - 1) * PER_PAGE - 1]
    clients = {"clerk": Client(), "officer": Client(), "public": Client(REMOTE_ADDR="127.0.0.1")}
    clients["clerk"].force_login(User.objects.get(username=CLERK))
    officer_signs_in(clients["officer"], User.objects.get(username="officer"))
    print(f"{township.name}: {residents:,} residents of {Resident.objects.count():,}; "
          f"follow-up list 2022: {listed:,} people; {args.runs} runs per page, median (min-max)")
    slowest = {}
    seeded = Resident.objects.filter(created_by__username="officer").count()
    for label, who, method, path, data in pages(last_page, last_page_after, seeded):
        send = getattr(clients[who], method)

        def request():
            if who == "public":
                for cache in caches.all():  # the lookup's limits of 5 a minute (shared and per worker); not timed
                    cache.clear()
            began = time.perf_counter()
            response = send(path, data)
            if response.status_code != 200:
                sys.exit(f"{label}: HTTP {response.status_code}")
            return (time.perf_counter() - began) * 1000

        request()  # warm: templates, the connection, PostgreSQL's cache
        if "after" in data and f"第 {last_page} / {last_page} 页" not in send(path, data).content.decode():
            sys.exit(f"{label}: not page {last_page} of {last_page}")
        timings = [request() for _ in range(args.runs)]
        with CaptureQueriesContext(connection) as captured:
            request()
        median = statistics.median(timings)
        target = {"clerk": TARGET_MS, "officer": CITY_TARGET_MS}.get(who)
        verdict = ("ok" if median < target else f"over {target} ms") if target else ""
        print(f"{label:36} {median:7.1f} ms ({min(timings):.1f}-{max(timings):.1f})  "
              f"{len(captured.captured_queries):2d} queries  {verdict}")
        slowest[label] = max(captured.captured_queries, key=lambda query: float(query["time"]))
    if args.no_explain:
        return
    for label, query in slowest.items():
        print(f"\n== {label}: slowest query ({float(query['time']) * 1000:.1f} ms when captured)\n{query['sql']}\n")
        print(explain(query["sql"]))


def officer_signs_in(client, user) -> None:
    """Both factors, as the login and code pages leave an officer's session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


if __name__ == "__main__":
    main()
