"""How fast `manage.py import_deaths` records the civil-affairs death list into PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_deaths .venv/bin/python benchmarks/death_import.py \
        [--rows 1000000] [--reuse]

The database named in DATABASE_URL is the benchmark's own: its name must start with ``bench_deaths``,
and it is dropped and made again (migrate, the portal and enrollment demo data, then the people
below with COPY). ``--reuse`` keeps a database an earlier run seeded with the same ``--rows`` and
only takes back what the last import wrote.

The people: ``--rows`` residents of the province-scale layout (scale_people.py), each enrolled and
paid for 2022 (coverage started before any death of the list). By index % 100: 0-9 have also paid
for 2023 (a refund each when they die in 2022), 10-14 are enrolled for 2023 unpaid (cancelled),
85-89 and 98-99 were recorded dead before (the list repeats the date for 85-89, differs for 98-99).
The list: one row per resident, dying in 2022, except 90-94, whose numbers nobody holds, and 95-97,
under another name. Then, each as its own process as an officer runs it: a dry run, the import,
and a re-import of the same list that must record nothing. Times are wall-clock of the whole
command, start-up included; beside them the command's own figure. Target: 20,000 rows/s.
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
HEADER = ["身份证号", "姓名", "死亡日期", "来源"]
RESIDENT_COLUMNS = ("id, id_number_encrypted, id_digest, id_masked, name, gender, birth_date, phone, region_id, "
                    "residence_permit, date_of_death, assistance_category, created_at, created_by_id, "
                    "payout_account_encrypted, payout_account_masked, birth_certificate_encrypted, "
                    "birth_certificate_digest, birth_certificate_masked")
ENROLLMENT_COLUMNS = ("id, resident_id, year, region_id, standard_id, category, assistance_category, standard_amount, "
                      "subsidy, payable, late, newborn, transfer, previous_insurer, coverage_start, coverage_end, "
                      "registered_on, registered_at, registered_by_id, paid_at, status")
PAYMENT_COLUMNS = ("enrollment_id, payer, amount, method, receipt_number, verification_code, idempotency_token, "
                   "recorded_at, recorded_by_id")
DEATH_COLUMNS = "resident_id, date_of_death, source, recorded_by_id, recorded_at"
RECORDED_BEFORE = date(2022, 3, 1)
NULL = "\\N"


def case(index: int) -> str:
    slot = index % 100
    if slot < 10:
        return "paid_2023"
    if slot < 15:
        return "unpaid_2023"
    if slot < 85:
        return "plain"
    if slot < 90:
        return "dead_same"
    if slot < 95:
        return "unknown"
    if slot < 98:
        return "other_name"
    return "dead_other"


def death_day(index: int) -> date:
    return date(2022, 1, 1) + timedelta(days=index % 330)


# -- The database ----------------------------------------------------------------------------

def seed(rows: int) -> None:
    import seed_scale
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from enrollment.models import ContributionStandard
    from portal.privacy.id_vault import id_digest, id_encrypt

    seed_scale.demo_load()
    region_ids = seed_scale.regions_create(rows)
    published = ContributionStandard.objects.published().filter(region__code="370300000000")
    standards = {year: (published.filter(year=year).values_list("pk", flat=True).first()
                        or published.order_by("-year").values_list("pk", flat=True).first()) for year in (2022, 2023)}
    officer = User.objects.get(username="officer").pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('enrollment_resident', 'id'), %s)", [rows + 10_000])
        cursor.execute("SELECT setval(pg_get_serial_sequence('enrollment_enrollment', 'id'), %s)", [3 * rows + 10_000])
    for start in range(0, rows, CHUNK):
        lines = {"resident": [], "enrollment": [], "payment": [], "death": []}
        for index in range(start, min(start + CHUNK, rows)):
            someone, kind = person(index), case(index)
            resident_id, village_id, number = 10_000 + index, region_ids[someone.village_code], someone.number
            dead = kind in ("dead_same", "dead_other")
            lines["resident"].append(
                f"{resident_id}\t{id_encrypt(number)}\t{id_digest(number)}\t{number[:6]}********{number[-4:]}\t"
                f"{someone.name}\t{'male' if int(number[16]) % 2 else 'female'}\t{someone.birth_date}\t\t"
                f"{village_id}\tf\t{death_day(index) if dead else NULL}\t\t2020-08-01 09:00:00+08\t{officer}\t\t\t\t\t\n")
            if dead:
                lines["death"].append(f"{resident_id}\t{death_day(index)}\tclerk\t{officer}\t{RECORDED_BEFORE}\n")
            years = (2022, 2023) if kind in ("paid_2023", "unpaid_2023") else (2022,)
            for year in years:
                enrollment_id = 10_000 + 2 * index + (year - 2022)
                at = f"{year - 1}-10-01 09:00:00+08"
                paid = year == 2022 or kind == "paid_2023"
                lines["enrollment"].append(
                    f"{enrollment_id}\t{resident_id}\t{year}\t{village_id}\t{standards[year]}\tadult\t\t410.00\t0.00\t"
                    f"410.00\tf\tf\tf\t\t{year}-01-01\t{year}-12-31\t{year - 1}-10-01\t{at}\t{officer}\t"
                    f"{at if paid else NULL}\tactive\n")
                if paid:
                    key = str(enrollment_id).encode()
                    lines["payment"].append(
                        f"{enrollment_id}\tresident\t410.00\tcash\t{year}{someone.village_code[:9]}S{enrollment_id:09d}\t"
                        f"{hashlib.blake2b(key, digest_size=16, person=b'verify').hexdigest()}\t"
                        f"{hashlib.blake2b(key, digest_size=16, person=b'token').hexdigest()}\t{at}\t{officer}\n")
        with transaction.atomic(), connection.cursor() as cursor:
            for table, columns in (("enrollment_resident", RESIDENT_COLUMNS), ("enrollment_enrollment", ENROLLMENT_COLUMNS),
                                   ("enrollment_payment", PAYMENT_COLUMNS), ("enrollment_death", DEATH_COLUMNS)):
                key = table.removeprefix("enrollment_")
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write("".join(lines[key]))
        print(f"  seeded {min(start + CHUNK, rows):,} residents", flush=True)
    compact()


def undo_last_import() -> None:
    """Take back what an import wrote, for --reuse."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM enrollment_refund WHERE reason = 'death'")
        cursor.execute("UPDATE enrollment_enrollment SET status = 'active' WHERE status = 'cancelled' AND year = 2023")
        cursor.execute("UPDATE enrollment_resident SET date_of_death = NULL WHERE id IN "
                       "(SELECT resident_id FROM enrollment_death WHERE death_import_id IS NOT NULL)")
        cursor.execute("DELETE FROM enrollment_death WHERE death_import_id IS NOT NULL")
        cursor.execute("DELETE FROM enrollment_deathimportproblem")
        cursor.execute("DELETE FROM enrollment_deathimport")
        cursor.execute("DELETE FROM enrollment_historicalresident WHERE history_change_reason = '死亡名单导入'")
    compact()


def compact() -> None:
    """Tables packed as after a bulk load, so that the import's UPDATEs pay for new row versions."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("enrollment_resident", "enrollment_enrollment", "enrollment_payment", "enrollment_death",
                      "enrollment_refund", "enrollment_historicalresident"):
            cursor.execute(f"VACUUM FULL {table}")
            cursor.execute(f"ANALYZE {table}")


def write_file(path: Path, rows: int) -> None:
    from portal.privacy.id_numbers import make_id_number

    sources = ("民政", "公安", "民政部门", "卫健")
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for index in range(rows):
            someone, kind = person(index), case(index)
            number, name, day = someone.number, someone.name, death_day(index)
            if kind == "unknown":  # a sequence number the seed never gives
                number = make_id_number(someone.village_code[:6], someone.birth_date, 900 + index % 100)
            elif kind == "other_name":
                name = "欧阳" + name
            elif kind == "dead_other":
                day -= timedelta(days=1) if day > date(2022, 1, 1) else timedelta(days=-1)
            writer.writerow([number, name, day.isoformat(), sources[index % len(sources)]])


def expected(rows: int) -> dict:
    kinds = [case(index) for index in range(rows)]
    return {
        "recorded": sum(kind in ("plain", "paid_2023", "unpaid_2023") for kind in kinds),
        "already_recorded": kinds.count("dead_same"),
        "refunds": kinds.count("paid_2023"), "cancelled": kinds.count("unpaid_2023"),
        "problems": kinds.count("unknown") + kinds.count("other_name") + kinds.count("dead_other"),
    }


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
    if not url.startswith("postgres") or not name.startswith("bench_deaths"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name starts with bench_deaths, e.g. "
                 "postgres://postgres@127.0.0.1:5432/bench_deaths: the script drops and recreates it.")
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
    path = Path(tempfile.mkdtemp()) / f"deaths_{rows}.csv"
    write_file(path, rows)
    connection.close()

    command = ["import_deaths", str(path), "--user", "officer", "--json"]
    results = []
    for label, extra in (("dry run", ["--dry-run"]), ("import", []), ("re-import, all known", [])):
        load = os.getloadavg()[0]
        seconds, result = manage(env, *command, *extra)
        results.append((label, seconds, json.loads(result.stdout), load))
    want = expected(rows)
    dry, imported, again = (result[2] for result in results)
    got = {key: imported[key] for key in want}
    if got != want or {key: dry[key] for key in want} != want or again["recorded"] or again["refunds"] \
            or again["already_recorded"] != want["recorded"] + want["already_recorded"]:
        sys.exit(f"unexpected counts: expected {want}, got {[r[2] for r in results]}")
    path.unlink()
    path.parent.rmdir()

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (server,) = cursor.fetchone()
    print(f"Python {platform.python_version()}, PostgreSQL {server}, {os.cpu_count()} CPUs, {platform.machine()}")
    print(f"rows: {rows:,} (recorded {imported['recorded']:,}, before {imported['already_recorded']:,}, "
          f"problems {imported['problems_by_reason']}, refunds {imported['refunds']:,}, cancelled "
          f"{imported['cancelled']:,}); wall time of the whole command, start-up included")
    for label, seconds, report, load in results:
        print(f"  {label:<22} {seconds:6.2f} s  {rows / seconds:9,.0f} rows/s   "
              f"(command's own {report['seconds']:.2f} s; load average {load:.1f})")
    verdict = "meets" if rows / results[1][1] >= TARGET else "BELOW"
    print(f"import {verdict} the target of {TARGET:,} rows/s")


if __name__ == "__main__":
    main()
