"""How fast `manage.py import_tax_payments` loads the tax office's payment file into PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_tax .venv/bin/python benchmarks/tax_payment_import.py \
        [--rows 1000000] [--reuse]

The database named in DATABASE_URL is the benchmark's own: its name must start with ``bench_tax``,
and it is dropped and made again (migrate, the portal and enrollment demo data, then the people
below with COPY). ``--reuse`` keeps a database an earlier run seeded with the same ``--rows`` and
only takes back what the last import wrote.

The people: ``--rows`` residents of the province-scale layout (scale_people.py: 车站街道 and
generated townships of the eight demo counties), each enrolled and paid for 2021 (a province's
tables hold last year too), and for 2022 enrolled and unpaid, except 1% not enrolled and 0.5%
paid at the counter. The file: one tax payment per resident, 97% of them due and of the amount
due, the rest one of each reason a row goes to reconciliation (amount differs, year closed,
not enrolled, paid already, unknown person), in the people's order. Then, each as its own
process as an officer runs it: a dry run, the import, and a re-import of the same file that must
record nothing (every row already imported). Times are wall-clock of the whole command, start-up
included; beside them the command's own figure. Target: the import at 20,000 rows/s or more.
"""

import argparse
import csv
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from scale_people import BENCH_ENV, person  # noqa: E402

TARGET = 20_000  # rows per second
CHUNK = 50_000  # residents per seeding transaction
HEADER = ["缴费凭证号", "身份证号", "姓名", "缴费年度", "金额", "缴费时间", "征收机关"]
OFFICE = "国家税务总局淄博市税务局"
# What each resident's row is, by index % 1000: the cases and their shares of the file.
MATCHED, AMOUNT_DIFFERS, YEAR_CLOSED, NOT_ENROLLED, ALREADY_PAID, UNKNOWN = range(6)


def case_of(index: int) -> int:
    slot = index % 1000
    for case, last in ((MATCHED, 969), (AMOUNT_DIFFERS, 974), (YEAR_CLOSED, 979), (NOT_ENROLLED, 989),
                       (ALREADY_PAID, 994)):
        if slot <= last:
            return case
    return UNKNOWN


def payable(birth: date, year: int) -> str:
    """The demo standards' adult or student_child amount (registered on 1 October of year - 1)."""
    on = date(year - 1, 10, 1)
    adult = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day)) >= 18
    return {2021: ("370.00", "270.00"), 2022: ("410.00", "310.00")}[year][0 if adult else 1]


# -- The database ----------------------------------------------------------------------------

def seed(rows: int) -> None:
    """The demo, the villages and ``rows`` residents with their 2021 and 2022 enrollments."""
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
    columns = {table: seed_scale.COLUMNS[table] for table in ("resident", "enrollment", "payment")}
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('enrollment_resident', 'id'), %s)", [rows + 10_000])
        cursor.execute("SELECT setval(pg_get_serial_sequence('enrollment_enrollment', 'id'), %s)", [3 * rows + 10_000])
    for start in range(0, rows, CHUNK):
        lines = {table: [] for table in columns}
        for index in range(start, min(start + CHUNK, rows)):
            someone = person(index)
            resident_id, village_id = 10_000 + index, region_ids[someone.village_code]
            number = someone.number
            lines["resident"].append(
                f"{resident_id}\t{id_encrypt(number)}\t{id_digest(number)}\t{number[:6]}********{number[-4:]}\t"
                f"{someone.name}\t{'male' if int(number[16]) % 2 else 'female'}\t{someone.birth_date}\t\t\\N\t"
                f"{village_id}\tf\t\\N\t\t2020-08-01 09:00:00+08\t{officer}\t\t\n")
            case = case_of(index)
            for year in (2021, 2022):
                if someone.birth_date >= date(year - 1, 9, 1) or (year == 2022 and case == NOT_ENROLLED):
                    continue
                amount = payable(someone.birth_date, year)
                category = "adult" if amount in ("370.00", "410.00") else "student_child"
                enrollment_id = 10_000 + 2 * index + (year - 2021)
                at = f"{year - 1}-10-01 09:00:00+08"
                paid = year == 2021 or case == ALREADY_PAID
                lines["enrollment"].append(
                    f"{enrollment_id}\t{resident_id}\t{year}\t{village_id}\t{standards[year]}\t{category}\t\t"
                    f"{amount}\t0.00\t{amount}\tf\tf\tf\t{year}-01-01\t{year}-12-31\t{year - 1}-10-01\t{at}\t"
                    f"{officer}\t{at if paid else chr(92) + 'N'}\tactive\n")
                if paid:
                    key = str(enrollment_id).encode()
                    lines["payment"].append(
                        f"{enrollment_id}\tresident\t{amount}\tcash\t{year}{someone.village_code[:9]}S{enrollment_id:09d}\t"
                        f"{hashlib.blake2b(key, digest_size=16, person=b'verify').hexdigest()}\t"
                        f"{hashlib.blake2b(key, digest_size=16, person=b'token').hexdigest()}\t{at}\t{officer}\n")
        with transaction.atomic(), connection.cursor() as cursor:
            for table, (name, names) in columns.items():
                with cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                    copy.write("".join(lines[table]))
        print(f"  seeded {min(start + CHUNK, rows):,} residents", flush=True)
    compact()


def undo_last_import() -> None:
    """Take back what an import wrote, for --reuse."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM enrollment_taxvoucher")
        cursor.execute("DELETE FROM enrollment_taxpaymentimport")
        cursor.execute("UPDATE enrollment_enrollment SET paid_at = NULL WHERE id IN "
                       "(SELECT enrollment_id FROM enrollment_payment WHERE method = 'tax')")
        cursor.execute("DELETE FROM enrollment_payment WHERE method = 'tax'")
    compact()


def compact() -> None:
    """Tables packed as after a bulk load: no free space left in the enrollments' pages, so that
    the import's UPDATE pays for new row versions and index entries as in a database that has
    not just been vacuumed."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("enrollment_enrollment", "enrollment_payment", "enrollment_taxvoucher", "enrollment_resident"):
            cursor.execute(f"VACUUM FULL {table}")
            cursor.execute(f"ANALYZE {table}")


def write_file(path: Path, rows: int) -> None:
    from portal.privacy.id_numbers import make_id_number

    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for index in range(rows):
            someone = person(index)
            case = case_of(index)
            number, name = someone.number, someone.name
            if case == UNKNOWN:  # a sequence number the seed never gives
                number = make_id_number(someone.village_code[:6], someone.birth_date, 900 + index % 100)
            amount = payable(someone.birth_date, 2022)
            if case == AMOUNT_DIFFERS:
                amount = "100.00"
            day = date(2021, 9, 1) + timedelta(days=index % 120)
            at = f"{day} {8 + index % 10:02d}:{index % 60:02d}:{index // 60 % 60:02d}"
            if case == YEAR_CLOSED:
                at = f"2023-01-05 10:{index % 60:02d}:00"
            writer.writerow([f"SW37{index:012d}", number, name, 2022, amount, at, OFFICE])


def manage(env: dict, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    command = [sys.executable, str(ROOT / "manage.py"), *args, "--skip-checks"]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return seconds, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database, undo the last import")
    arguments = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    name = urlsplit(url).path.lstrip("/")
    if not url.startswith("postgres") or not name.startswith("bench_tax"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name starts with bench_tax, e.g. "
                 "postgres://postgres@127.0.0.1:5432/bench_tax: the script drops and recreates it.")
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
    path = Path(tempfile.mkdtemp()) / f"tax_{rows}.csv"
    write_file(path, rows)
    connection.close()

    command = ["import_tax_payments", str(path), "--user", "officer", "--json"]
    results = []
    for label, extra in (("dry run", ["--dry-run"]), ("import", []), ("re-import, all known", [])):
        load = os.getloadavg()[0]
        seconds, result = manage(env, *command, *extra)
        results.append((label, seconds, json.loads(result.stdout), load))
    imported, again = results[1][2], results[2][2]
    expected_recorded = sum(case_of(index) == MATCHED for index in range(rows))
    if imported["recorded"] != expected_recorded or again["already_imported"] != rows or again["recorded"]:
        sys.exit(f"unexpected counts: {[r[2] for r in results]}")
    path.unlink()
    path.parent.rmdir()

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (server,) = cursor.fetchone()
    print(f"Python {platform.python_version()}, PostgreSQL {server}, {os.cpu_count()} CPUs, {platform.machine()}")
    print(f"rows: {rows:,} (recorded {imported['recorded']:,}, to reconcile {imported['unmatched']:,}: "
          f"{imported['problems']}); wall time of the whole command, start-up included")
    for label, seconds, report, load in results:
        print(f"  {label:<22} {seconds:6.2f} s  {rows / seconds:9,.0f} rows/s   "
              f"(command's own {report['seconds']:.2f} s; load average {load:.1f})")
    verdict = "meets" if rows / results[1][1] >= TARGET else "BELOW"
    print(f"import {verdict} the target of {TARGET:,} rows/s")


if __name__ == "__main__":
    main()
