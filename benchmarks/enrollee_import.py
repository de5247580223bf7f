"""How fast `manage.py import_enrollees` loads a large roll into PostgreSQL, next to a plain COPY.

Writes N synthetic residents with valid ID numbers in the demo villages to a CSV, then times the
command as an officer runs it: a dry run, the real import, and a rerun that refuses every row
(all already enrolled). Validation, encryption and the duplicate checks are all on. Target:
100,000 rows in under 10 seconds (10,000 rows/s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal python benchmarks/enrollee_import.py \
        [--rows 100000] [--profile]

DATABASE_URL names the server and a database name NAME that is never touched: the script creates
its own database `NAME_bench` there (dropping a leftover one) and drops it at the end, so people
sharing a server each get their own.
--profile also runs the dry run in-process under cProfile and prints where the time goes.
"""

import argparse
import cProfile
import csv
import os
import platform
import pstats
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
TARGET = 10_000  # rows per second
YEAR, ON = 2022, date(2021, 10, 15)  # inside the demo's 2022 collection window
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红梅玉文浩宇轩子涵欣怡"


def bench_url(server_url: str) -> str:
    parts = urlsplit(server_url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must point at PostgreSQL (postgres://...): this benchmark measures COPY.")
    name = parts.path.strip("/") or "portal"
    if not re.fullmatch(r"[a-z0-9_]+", name):
        sys.exit(f"unexpected database name {name!r} in DATABASE_URL")
    return urlunsplit(parts._replace(path=f"/{name}_bench"))


def recreate_database(url: str, *, create: bool = True) -> None:
    name = urlsplit(url).path.strip("/")
    with psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(url: str, *args: str, check: bool = True) -> tuple[float, subprocess.CompletedProcess]:
    # --skip-checks: the system checks are not part of an import and only add start-up time.
    command = [sys.executable, str(ROOT / "manage.py"), *args, "--skip-checks"]
    cpu_before = _children_cpu()
    started = time.perf_counter()
    result = subprocess.run(command, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    # The machine may be shared: the command's own CPU time and the load show how noisy a run was.
    result.cpu_seconds = _children_cpu() - cpu_before
    result.load = os.getloadavg()[0]
    if check and result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return seconds, result


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def write_roll(path: Path, rows: int, villages: list[str], taken: set[str]) -> None:
    """Valid, distinct ID numbers: the birth date walks the calendar, the sequence counts laps."""
    from portal.privacy.id_numbers import make_id_number

    rng = random.Random(YEAR)
    first, span = date(1935, 1, 1), (ON - date(1935, 1, 1)).days
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["身份证号", "姓名", "联系电话", "村社区代码", "参保类别"])
        written, step = 0, 0
        while written < rows:
            village = villages[step % len(villages)]
            birth = first + timedelta(days=(step * 7919) % span)
            number = make_id_number(village[:6], birth, 100 + (step // span) % 900)
            step += 1
            if number in taken:
                continue
            taken.add(number)
            age = ON.year - birth.year - ((ON.month, ON.day) < (birth.month, birth.day))
            category = "学生儿童" if age < 18 or (age < 22 and step % 3 == 0) else "成年居民"
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
            writer.writerow([number, name, f"139{rng.randrange(10**8):08d}", village, category])
            written += 1


def plain_copy_seconds(url: str, path: Path) -> float:
    """The same file into a scratch table with no checks at all: the floor for this machine."""
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE bench_roll_copy (id_number text, name text, phone text, "
                     "village_code text, category text)")
        conn.commit()
        data = path.read_bytes()
        started = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy("COPY bench_roll_copy FROM STDIN (FORMAT csv, HEADER true)") as copy:
            copy.write(data)
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_roll_copy")
        conn.commit()
    return seconds


def count(url: str, sql: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchone()[0]


def profile_dry_run(path: Path) -> None:
    from django.contrib.auth.models import User

    from enrollment.imports.checks import enrollees_import
    from enrollment.imports.rolls import read_roll

    profiler = cProfile.Profile()
    profiler.enable()
    report = enrollees_import(rows=read_roll(path), year=YEAR, user=User.objects.get(username="officer"),
                              on=ON, dry_run=True)
    profiler.disable()
    print(f"profile of the dry run ({report.rows:,} rows, {len(report.errors)} errors):")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true")
    arguments = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/portal")
    url = bench_url(os.environ["DATABASE_URL"])

    recreate_database(url)
    manage(url, "migrate", "--noinput")
    manage(url, "load_demo")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from enrollment.demo import RESIDENTS
    from portal.network.codes import Level
    from portal.network.models import Region

    villages = list(Region.objects.of_level(Level.VILLAGE).values_list("code", flat=True))
    path = Path(tempfile.mkdtemp()) / f"roll_{arguments.rows}.csv"
    write_roll(path, arguments.rows, villages, {number for _, number, *_ in RESIDENTS})

    command = ["import_enrollees", str(path), "--year", str(YEAR), "--user", "officer", "--date", ON.isoformat()]
    dry_seconds, dry = manage(url, *command, "--dry-run")
    if arguments.profile:
        profile_dry_run(path)
    before = count(url, f"SELECT count(*) FROM enrollment_enrollment WHERE year = {YEAR}")
    commit_seconds, commit = manage(url, *command)
    added = count(url, f"SELECT count(*) FROM enrollment_enrollment WHERE year = {YEAR}") - before
    if added != arguments.rows:
        sys.exit(f"expected {arguments.rows} new enrollments, found {added}")
    rerun_seconds, rerun = manage(url, *command, "--dry-run", check=False)
    refused = rerun.stdout.count("同一人同一年度只能参保一次")
    if rerun.returncode != 1 or refused != arguments.rows:
        sys.exit(f"the rerun should refuse every row: exit {rerun.returncode}, {refused} refused")
    copy_seconds = plain_copy_seconds(url, path)
    path.unlink()
    path.parent.rmdir()

    rows = arguments.rows
    with psycopg.connect(url) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
    recreate_database(url, create=False)
    print(f"Python {platform.python_version()}, PostgreSQL {server}, {os.cpu_count()} CPUs, {platform.machine()}")
    print(f"rows: {rows:,}; wall time of the whole command (start-up included), then the time it reports itself")
    for label, seconds, result in (("dry run", dry_seconds, dry), ("commit", commit_seconds, commit),
                                   ("rerun, all refused", rerun_seconds, rerun)):
        inside = float(re.search(r"用时 ([0-9.]+) 秒", result.stdout).group(1))
        print(f"  {label:<19} {seconds:6.2f} s  {rows / seconds:9,.0f} rows/s   (in the command {inside:.1f} s; "
              f"its CPU {result.cpu_seconds:.1f} s; load average {result.load:.1f})")
    print(f"  {'plain COPY':<19} {copy_seconds:6.2f} s  {rows / copy_seconds:9,.0f} rows/s")
    verdict = "meets" if rows / commit_seconds >= TARGET else "BELOW"
    print(f"commit is {commit_seconds / copy_seconds:.1f}x a plain COPY of the same rows; "
          f"{verdict} the target of {TARGET:,} rows/s")


if __name__ == "__main__":
    main()
