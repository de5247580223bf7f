"""How fast `manage.py import_settlements` loads a month of settlement records into PostgreSQL.

Writes N synthetic settlements (valid ID numbers, four visits per person, amounts that pass
every check) to a CSV, then times the command as an officer runs it: a dry run, the real import,
and a re-import of the same file that must add nothing (every row recognised as already
imported). Target: 100,000 rows in under 10 seconds (10,000 rows/s), so that a province's
million-row month loads in minutes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal python benchmarks/settlement_import.py \
        [--rows 100000]

DATABASE_URL names the server only: the script creates its own database
`portal_bench_settlements` there (dropping a leftover one), drops it at the end, and never
touches any other database.
"""

import argparse
import csv
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "portal_bench_settlements"
TARGET = 10_000  # rows per second
VISITS_PER_PERSON = 4
KINDS = ["住院", "门诊慢特病", "普通门诊", "两病门诊用药"]
HEADER = ["身份证号", "结算日期", "医疗机构", "就诊类别", "医疗总费用", "政策范围内费用",
          "基本医保支付", "大病保险支付", "医疗救助支付", "个人负担"]


def bench_url(server_url: str) -> str:
    parts = urlsplit(server_url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must point at PostgreSQL (postgres://...).")
    return urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))


def recreate_database(url: str, *, create: bool = True) -> None:
    with psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


def manage(url: str, *args: str, check: bool = True) -> tuple[float, subprocess.CompletedProcess]:
    command = [sys.executable, str(ROOT / "manage.py"), *args, "--skip-checks"]
    started = time.perf_counter()
    result = subprocess.run(command, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if check and result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return seconds, result


def write_settlements(path: Path, rows: int) -> None:
    """Distinct people (birth date walks the calendar), each with a few visits in 2022."""
    sys.path.insert(0, str(ROOT))
    from portal.privacy.id_numbers import make_id_number

    rng = random.Random(2022)
    first, span = date(1935, 1, 1), 30_000
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for index in range(rows):
            person = index // VISITS_PER_PERSON
            number = make_id_number("370303", first + timedelta(days=person % span), 100 + person // span)
            policy_range = Decimal(rng.randrange(10_000, 5_000_000)) / 100
            total = policy_range + Decimal(rng.randrange(0, 100_000)) / 100
            basic = (policy_range * Decimal("0.6")).quantize(Decimal("0.01"))
            catastrophic = (policy_range * Decimal("0.1")).quantize(Decimal("0.01"))
            assistance = (policy_range * Decimal("0.05")).quantize(Decimal("0.01"))
            writer.writerow([
                number, (date(2022, 1, 1) + timedelta(days=index % 365)).isoformat(), f"淄博市第{index % 40 + 1}人民医院",
                KINDS[index % len(KINDS)], total, policy_range, basic, catastrophic, assistance,
                total - basic - catastrophic - assistance,
            ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    arguments = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/portal")
    url = bench_url(os.environ["DATABASE_URL"])
    rows = arguments.rows

    recreate_database(url)
    manage(url, "migrate", "--noinput")
    path = Path(tempfile.mkdtemp()) / f"settlements_{rows}.csv"
    write_settlements(path, rows)

    command = ["import_settlements", str(path), "--json"]
    results = []
    for label, extra in (("dry run", ["--dry-run"]), ("commit", []), ("re-import, all known", [])):
        seconds, result = manage(url, *command, *extra)
        report = json.loads(result.stdout)
        results.append((label, seconds, report))
    if results[1][2]["created"] != rows or results[2][2]["already_imported"] != rows or results[2][2]["created"]:
        sys.exit(f"unexpected counts: {[r[2] for r in results]}")
    path.unlink()
    path.parent.rmdir()

    with psycopg.connect(url) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
        stored = conn.execute("SELECT count(*) FROM assistance_settlement").fetchone()[0]
    recreate_database(url, create=False)
    print(f"Python {platform.python_version()}, PostgreSQL {server}, {os.cpu_count()} CPUs, {platform.machine()}")
    print(f"rows: {rows:,}; wall time of the whole command, start-up included; {stored:,} rows stored")
    for label, seconds, _ in results:
        print(f"  {label:<22} {seconds:6.2f} s  {rows / seconds:9,.0f} rows/s")
    commit_seconds = results[1][1]
    verdict = "meets" if rows / commit_seconds >= TARGET else "BELOW"
    print(f"commit {verdict} the target of {TARGET:,} rows/s")


if __name__ == "__main__":
    main()
