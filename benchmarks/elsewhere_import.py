"""How fast `manage.py import_insured_elsewhere` loads a list of people insured elsewhere (the
city's employee insurance, 清理重复参保) into PostgreSQL, and how fast the clerks' duplicates list
answers once it has.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_elsewhere .venv/bin/python \
        benchmarks/elsewhere_import.py [--rows 1000000] [--reuse]

The database named in DATABASE_URL is the benchmark's own: its name must start with
``bench_elsewhere``, and it is dropped and made again (migrate, the portal and enrollment demo
data, then the people below with COPY). ``--reuse`` keeps a database an earlier run seeded with
the same ``--rows`` and only takes back what the last import wrote.

The people: ``--rows`` residents of the province-scale layout (scale_people.py), each enrolled
for 2021 (a province's tables hold last year too) and one in ten for 2022 as well. The list: one
row of 2022 per resident, but for 5% numbers the seed never gives (people registered nowhere
here). So 95% of the rows are registered here and recorded as insured elsewhere, and the one in
ten enrolled here for 2022 too become duplicates for the clerks. Then, each as its own process as an officer runs it: a dry run, the
import, and an import of the same list again that must record nothing. Times are wall-clock of the
whole command, start-up included. Target: the import at 20,000 rows/s or more.

Then the duplicates list: the first page and a later page of 车站街道's clerk
(30,000 residents), the queries the page runs, timed in this process.
"""

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from scale_people import BENCH_ENV, BIRTH_DAYS, person  # noqa: E402

TARGET = 20_000  # rows per second
CHUNK = 50_000  # residents per seeding transaction
HEADER = ["身份证号", "姓名", "参保年度", "单位"]
# Columns written by the seed: every NOT NULL column of the tables, the life-event ones included.
RESIDENT_COLUMNS = ("id, id_number_encrypted, id_digest, id_masked, name, gender, birth_date, phone, household_id, "
                    "region_id, residence_permit, date_of_death, assistance_category, created_at, created_by_id, "
                    "payout_account_encrypted, payout_account_masked, birth_certificate_encrypted, "
                    "birth_certificate_digest, birth_certificate_masked")
ENROLLMENT_COLUMNS = ("id, resident_id, year, region_id, standard_id, category, assistance_category, standard_amount, "
                      "subsidy, payable, late, newborn, transfer, previous_insurer, coverage_start, coverage_end, "
                      "registered_on, registered_at, registered_by_id, paid_at, status")


def enrolled(index: int) -> bool:
    """Enrolled here for 2022 as well: on the list, a duplicate."""
    return index % 10 == 5


def unknown(index: int) -> bool:
    """The list's row of this index is someone registered nowhere here."""
    return index % 100 < 5


def seed(rows: int) -> None:
    import seed_scale
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from enrollment.models import ContributionStandard
    from portal.privacy.id_vault import id_digest, id_encrypt

    seed_scale.demo_load()
    region_ids = seed_scale.regions_create(rows)
    standards = {year: ContributionStandard.objects.published().get(year=year, region__code="370300000000").pk
                 for year in (2021, 2022)}
    officer = User.objects.get(username="officer").pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('enrollment_resident', 'id'), %s)", [rows + 10_000])
        cursor.execute("SELECT setval(pg_get_serial_sequence('enrollment_enrollment', 'id'), %s)", [2 * rows + 10_000])
    for start in range(0, rows, CHUNK):
        residents, enrollments = [], []
        for index in range(start, min(start + CHUNK, rows)):
            someone = person(index)
            resident_id, village_id, number = 10_000 + index, region_ids[someone.village_code], someone.number
            residents.append(
                f"{resident_id}\t{id_encrypt(number)}\t{id_digest(number)}\t{number[:6]}********{number[-4:]}\t"
                f"{someone.name}\t{'male' if int(number[16]) % 2 else 'female'}\t{someone.birth_date}\t\t\\N\t"
                f"{village_id}\tf\t\\N\t\t2020-08-01 09:00:00+08\t{officer}\t\t\t\t\t\n")
            for year in (2021, 2022):
                if year == 2022 and not enrolled(index) or someone.birth_date >= date(year - 1, 9, 1):
                    continue
                enrollment_id, amount = 10_000 + 2 * index + (year - 2021), {2021: "370.00", 2022: "410.00"}[year]
                enrollments.append(
                    f"{enrollment_id}\t{resident_id}\t{year}\t{village_id}\t{standards[year]}\tadult\t\t{amount}\t"
                    f"0.00\t{amount}\tf\tf\tf\t\t{year}-01-01\t{year}-12-31\t{year - 1}-10-01\t"
                    f"{year - 1}-10-01 09:00:00+08\t{officer}\t\\N\tactive\n")
        with transaction.atomic(), connection.cursor() as cursor:
            for table, columns, lines in (("enrollment_resident", RESIDENT_COLUMNS, residents),
                                          ("enrollment_enrollment", ENROLLMENT_COLUMNS, enrollments)):
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write("".join(lines))
        print(f"  seeded {min(start + CHUNK, rows):,} residents", flush=True)
    compact()


def undo_last_import() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM enrollment_duplicateenrollment")
        cursor.execute("DELETE FROM enrollment_insuredelsewhere WHERE source_import_id IS NOT NULL")
        cursor.execute("DELETE FROM enrollment_elsewhereimport")
    compact()


def compact() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("enrollment_resident", "enrollment_enrollment", "enrollment_insuredelsewhere",
                      "enrollment_duplicateenrollment"):
            cursor.execute(f"VACUUM FULL {table}")
            cursor.execute(f"ANALYZE {table}")


def write_file(path: Path, rows: int) -> None:
    from portal.privacy.id_numbers import make_id_number

    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for index in range(rows):
            someone = person(index)
            number = someone.number
            if unknown(index):  # an address code the seed never gives; birth day and sequence unique
                number = make_id_number("370399", someone.birth_date, index // BIRTH_DAYS)
            writer.writerow([number, someone.name, 2022, f"淄博市第{index % 5000}号企业有限公司"])


def manage(env: dict, *args: str) -> float:
    command = [sys.executable, str(ROOT / "manage.py"), *args, "--skip-checks"]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return seconds, json.loads(result.stdout)


def time_list_page() -> list[tuple[str, float]]:
    """The duplicates page's queries for 车站街道's clerk: the first page and the next."""
    from django.contrib.auth.models import User
    from django.http import QueryDict

    clerk = User.objects.get(username="clerk_chezhan")
    timings = []
    for label, work in (
        ("first page (20 rows and the count)", lambda: _page(clerk, QueryDict())),
        ("a later page (after=)", lambda: _page(clerk, QueryDict(f"after={_some_key(clerk)}"))),
    ):
        work()  # warm
        started = time.perf_counter()
        for _ in range(5):
            work()
        timings.append((label, (time.perf_counter() - started) / 5 * 1000))
    return timings


def _page(clerk, params):
    from enrollment.life_events.duplicates_views import ORDER
    from enrollment.life_events.models import DuplicateEnrollment
    from portal.web.pagination import keyset_page

    visible = DuplicateEnrollment.objects.visible_to(clerk)
    rows = visible.open().select_related("enrollment__resident", "enrollment__region", "found_in")
    page = keyset_page(rows, ordering=ORDER, keys=visible, params=params)
    return [duplicate.enrollment.resident.name for duplicate in page.object_list], page.paginator.count


def _some_key(clerk) -> int:
    from enrollment.life_events.models import DuplicateEnrollment

    return DuplicateEnrollment.objects.visible_to(clerk).open().order_by("pk").values_list("pk", flat=True)[200]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database, undo the last import")
    arguments = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    name = urlsplit(url).path.lstrip("/")
    if not url.startswith("postgres") or not name.startswith("bench_elsewhere"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name starts with bench_elsewhere, e.g. "
                 "postgres://postgres@127.0.0.1:5432/bench_elsewhere: the script drops and recreates it.")
    rows = arguments.rows
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    os.environ.update(env)
    import seed_scale

    began = time.perf_counter()
    if not arguments.reuse:
        seed_scale.recreate_database(url, name)
        seed_scale.migrate(env)
    import django

    django.setup()
    from django.db import connection

    if arguments.reuse:
        undo_last_import()
    else:
        seed(rows)
    print(f"database {name} ready in {time.perf_counter() - began:.1f} s", flush=True)
    path = Path(tempfile.mkdtemp()) / f"elsewhere_{rows}.csv"
    write_file(path, rows)
    connection.close()

    command = ["import_insured_elsewhere", str(path), "--user", "officer", "--scheme", "employee",
               "--source", "淄博市职工医保", "--json"]
    results = []
    for label, extra in (("dry run", ["--dry-run"]), ("import", []), ("import again, all known", [])):
        load = os.getloadavg()[0]
        seconds, report = manage(env, *command, *extra)
        results.append((label, seconds, report, load))
    imported, again = results[1][2], results[2][2]
    expected_unknown = sum(unknown(index) for index in range(rows))
    if imported["unknown"] != expected_unknown or again["recorded"] or again["duplicates"] or \
            imported["matched"] != rows - expected_unknown:
        sys.exit(f"unexpected counts: {[r[2] for r in results]}")
    path.unlink()
    path.parent.rmdir()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE enrollment_duplicateenrollment")
        cursor.execute("SHOW server_version")
        (server,) = cursor.fetchone()
    pages = time_list_page()

    print(f"Python {platform.python_version()}, PostgreSQL {server}, {os.cpu_count()} CPUs, {platform.machine()}")
    print(f"rows: {rows:,} (registered here {imported['matched']:,}, unknown {imported['unknown']:,}, "
          f"duplicates {imported['duplicates']:,}); wall time of the whole command, start-up included")
    for label, seconds, report, load in results:
        print(f"  {label:<24} {seconds:6.2f} s  {rows / seconds:9,.0f} rows/s   "
              f"(command's own {report['seconds']:.2f} s; load average {load:.1f})")
    verdict = "meets" if rows / results[1][1] >= TARGET else "BELOW"
    print(f"import {verdict} the target of {TARGET:,} rows/s")
    print("duplicates list of 车站街道's clerk, mean of 5:")
    for label, milliseconds in pages:
        print(f"  {label:<36} {milliseconds:7.1f} ms")


if __name__ == "__main__":
    main()
