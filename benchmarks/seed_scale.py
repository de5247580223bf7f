"""A province-like data set in PostgreSQL for the load tests: residents, households, 2021 and 2022
enrollments and payments, spread over generated townships and villages of the demo counties.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python benchmarks/seed_scale.py --residents 1000000 [--jobs 2]

``DATABASE_URL`` names the server only. The script (re)creates its own database ``portal_scale``
(``--database`` to change it; it refuses any name not starting with ``portal_scale``), migrates
it, loads the demo data and then writes the residents with COPY, ``--jobs`` chunks at a time in
parallel, each chunk in its own transaction with every constraint and foreign key checked at its
commit. Nothing Django's migrations own is dropped or altered. It ends with VACUUM ANALYZE.
When the assistance app's tables have the columns this script knows, it also writes verified
assistance identities (about 3% of residents) and settlements (one per resident on average).

Who lives where, their ID numbers and names are functions of the resident's index
(scale_people.py), so the load tests can pick real people without reading the database.

Not seeded: simple_history's creation rows (no page that is measured reads them), alerts,
applications and re-assistance grants.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import scale_people  # noqa: E402  (after the path is set)
from scale_people import BENCH_ENV, person  # noqa: E402

CHUNK = 50_000  # residents per transaction

YEAR_RULES = {
    # year: (adult, student_child, window start) of the demo's 淄博 standards (enrollment/demo.py)
    2021: ("370.00", "270.00", date(2020, 9, 1)),
    2022: ("410.00", "310.00", date(2021, 9, 1)),
}
DEATH_DATE = date(2021, 6, 30)
METHODS = ("cash", "bank_card", "online", "tax")
NULL = "\\N"
# (category, department) of the identities; the department that certifies each category.
IDENTITY_KINDS = (
    ("extreme_poverty", "civil_affairs"), ("minimum_living", "civil_affairs"),
    ("low_income_edge", "civil_affairs"), ("returned_to_poverty", "rural_revitalization"),
    ("monitored", "rural_revitalization"),
)
VISIT_KINDS = ("outpatient", "inpatient", "chronic", "two_diseases")
INSTITUTIONS = ("淄博市中心医院", "淄博市第一医院", "张店区人民医院", "淄川区医院", "博山区医院", "临淄区人民医院",
                "周村区人民医院", "桓台县人民医院", "车站街道社区卫生服务中心", "淄博市妇幼保健院")


# -- The database ----------------------------------------------------------------------------

def database_url(server_url: str, name: str) -> str:
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def recreate_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(database_url(server_url, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def migrate(env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def demo_load() -> None:
    """The demo network, staff accounts and 淄博 standards the data set builds on. Only these two
    loaders: the other apps' demo data is not needed here, and may be mid-change."""
    from enrollment import demo as enrollment_demo
    from portal.network import demo as portal_demo

    portal_demo.load()
    enrollment_demo.load()


# -- Regions ---------------------------------------------------------------------------------

def regions_create(residents: int) -> dict[str, int]:
    """The generated townships and villages; returns every region's id by code."""
    from portal.network.codes import Level
    from portal.network.models import Region

    existing = dict(Region.objects.values_list("code", "id"))
    names = dict(Region.objects.values_list("code", "name"))
    townships, villages = [], []
    for number in range(1, scale_people.STATION_VILLAGES + 1):
        code = scale_people.station_village_code(number)
        if code not in existing:
            villages.append((code, f"车站街道第{number}社区", scale_people.STATION_TOWNSHIP))
    for village in range(scale_people.village_count(residents)):
        code = scale_people.village_code(village)
        township = code[:9] + "000"
        if village % scale_people.VILLAGES_PER_TOWNSHIP == 0:
            county = township[:6] + "000000"
            number = village // scale_people.VILLAGES_PER_TOWNSHIP // len(scale_people.COUNTIES) + 1
            townships.append((township, f"{names[county]}第{number}镇", county))
        villages.append((code, f"{names[township[:6] + '000000']}第{int(township[6:9]) - 100}镇第{int(code[9:])}村",
                         township))
    for level, rows in ((Level.TOWNSHIP, townships), (Level.VILLAGE, villages)):
        created = Region.objects.bulk_create(
            [Region(code=code, name=name, level=level, parent_id=existing[parent]) for code, name, parent in rows],
            batch_size=2000,
        )
        existing.update({region.code: region.pk for region in created})
    return existing


# -- Rows ------------------------------------------------------------------------------------

class Plan:
    """Everything a worker needs to write its chunks: ids, the standards, the users."""

    def __init__(self, *, residents: int, region_ids: dict[str, int], standards: dict[int, int], officer: int,
                 verifier: int, base: dict[str, int], assistance: bool):
        self.residents, self.region_ids, self.standards, self.officer = residents, region_ids, standards, officer
        self.verifier = verifier  # identities are verified by someone other than the importer
        self.base = base  # first id of each table's block: ids are base + a function of the index
        self.assistance = assistance  # write identities and settlements too

    def resident_id(self, index: int) -> int:
        return self.base["resident"] + index

    def household_id(self, head_index: int) -> int:
        return self.base["household"] + head_index

    def enrollment_id(self, index: int, year: int) -> int:
        return self.base["enrollment"] + 2 * index + (year - 2021)


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _household_starts(index: int, village: str) -> bool:
    """Households are runs of neighbours in a village, four people on average."""
    # Each chunk starts a household: a household is written in the transaction of its members.
    return (index % CHUNK == 0 or scale_people.village_of(index - 1) != village
            or scale_people.mix(index) >> 20 & 3 == 0)


def chunk_rows(plan: Plan, start: int, stop: int) -> dict[str, list[str]]:
    """COPY text lines (tab-separated, \\N for NULL) of residents start..stop-1 and their rows."""
    from portal.privacy.id_vault import id_digest, id_encrypt

    lines = {table: [] for table in COLUMNS if plan.assistance or table in CORE_TABLES}
    created = "2020-08-01 09:00:00+08"
    officer = plan.officer
    head = start
    for index in range(start, stop):
        someone = person(index)
        village_id = plan.region_ids[someone.village_code]
        hashed = scale_people.mix(index)
        if _household_starts(index, someone.village_code):
            head = index
            lines["household"].append(
                f"{plan.household_id(index)}\t{someone.village_code}H{index:08d}\t{index % 997 + 1}号院\t"
                f"{village_id}\t{plan.resident_id(index)}\t{created}\n"
            )
        number = someone.number
        digest, masked = id_digest(number), f"{number[:6]}********{number[-4:]}"
        dead = hashed >> 24 & 0xFF < 2 and someone.birth_date < DEATH_DATE  # about 0.8%
        resident_id = plan.resident_id(index)
        lines["resident"].append(
            f"{resident_id}\t{id_encrypt(number)}\t{digest}\t{masked}\t"
            f"{someone.name}\t{'male' if int(number[16]) % 2 else 'female'}\t{someone.birth_date}\t"
            f"13{hashed % 1_000_000_000:09d}\t{plan.household_id(head)}\t{village_id}\tf\t"
            f"{DEATH_DATE if dead else NULL}\t\t{created}\t{officer}\t\t\t\t\t\n"  # no payout account, no birth certificate
        )
        if dead:  # each death once, as a clerk records it (enrollment.life_events.models.Death)
            lines["death"].append(f"{resident_id}\t{DEATH_DATE}\tclerk\t{created}\n")
        for year, enrolled, paid in (
            (2021, hashed >> 4 & 127 < 122, True),  # ~95%, all paid
            (2022, not dead and hashed >> 11 & 127 < 118, hashed >> 18 & 127 < 109),  # ~92%, ~85% of them paid
        ):
            adult, student, window = YEAR_RULES[year]
            on = window + timedelta(days=(hashed >> 7) % 120)  # inside the window, September to December
            if not enrolled or someone.birth_date >= window:
                continue
            amount = adult if _age(someone.birth_date, on) >= 18 else student
            at = f"{on} {9 + (hashed >> 9) % 8:02d}:{hashed % 60:02d}:00+08"
            enrollment_id = plan.enrollment_id(index, year)
            lines["enrollment"].append(
                f"{enrollment_id}\t{resident_id}\t{year}\t{village_id}\t{plan.standards[year]}\t"
                f"{'adult' if amount == adult else 'student_child'}\t\t{amount}\t0.00\t{amount}\tf\tf\tf\t"
                f"{year}-01-01\t{year}-12-31\t{on}\t{at}\t{officer}\t{at if paid else NULL}\tactive\t\n"
            )
            if paid:
                key = str(enrollment_id).encode()
                lines["payment"].append(
                    f"{enrollment_id}\tresident\t{amount}\t{METHODS[hashed % 4]}\t"
                    f"{year}{someone.village_code[:9]}S{enrollment_id:09d}\t"
                    f"{hashlib.blake2b(key, digest_size=16, person=b'verify').hexdigest()}\t"
                    f"{hashlib.blake2b(key, digest_size=16, person=b'token').hexdigest()}\t{at}\t{officer}\n"
                )
        if plan.assistance:
            assistance_rows(plan, lines, index, someone, digest, masked, resident_id, hashed)
    return lines


def _yuan(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def assistance_rows(plan: Plan, lines: dict, index: int, someone, digest: str, masked: str, resident_id: int,
                    hashed: int) -> None:
    """A verified identity for about 3% of residents; 0-2 settlements each (one on average)."""
    from portal.privacy.id_vault import id_encrypt

    if hashed >> 26 & 31 == 0:
        category, department = IDENTITY_KINDS[(hashed >> 3) % len(IDENTITY_KINDS)]
        lines["identity"].append(
            f"{id_encrypt(someone.number)}\t{digest}\t{masked}\t{someone.name}\t{category}\t{department}\t"
            f"淄医救认〔2021〕{index}号\t2021-01-01\t{NULL}\tverified\t{NULL}\t{plan.officer}\t{plan.verifier}\t"
            f"2021-01-05 10:00:00+08\t{NULL}\t{NULL}\t\n"
        )
    for visit in range((0, 1, 2, 1)[hashed >> 5 & 3]):
        spread = scale_people.mix(index * 3 + visit)
        year = 2021 + (index + visit) % 2
        settled_on = date(year, 1, 2) + timedelta(days=spread % 300 + visit * 31)
        institution, kind = INSTITUTIONS[spread % len(INSTITUTIONS)], VISIT_KINDS[spread >> 8 & 3]
        total = 5_000 + spread % 3_000_000  # 50 to 30,050 yuan, in cents
        policy_range = total * 85 // 100
        basic = policy_range * 60 // 100
        amounts = [_yuan(cents) for cents in (total, policy_range, basic, 0, 0, total - basic)]
        # The fingerprint as assistance/settlements/imports.py makes it, so a re-import would match.
        fingerprint = hashlib.sha256(
            "|".join([digest, settled_on.isoformat(), institution, kind, *amounts]).encode()
        ).hexdigest()
        lines["settlement"].append(
            f"{digest}\t{masked}\t{resident_id}\t{year}\t{settled_on}\t{institution}\t{kind}\t"
            f"{chr(9).join(amounts)}\t{fingerprint}\t2023-01-10 09:00:00+08\t{plan.officer}\t\n"  # no invoice number
        )


COLUMNS = {
    "household": ("enrollment_household", "id, number, address, region_id, head_id, created_at"),
    "resident": ("enrollment_resident",
                 "id, id_number_encrypted, id_digest, id_masked, name, gender, birth_date, phone, household_id, "
                 "region_id, residence_permit, date_of_death, assistance_category, created_at, created_by_id, "
                 "payout_account_encrypted, payout_account_masked, birth_certificate_encrypted, birth_certificate_digest, "
                 "birth_certificate_masked"),
    "death": ("enrollment_death", "resident_id, date_of_death, source, recorded_at"),
    "enrollment": ("enrollment_enrollment",
                   "id, resident_id, year, region_id, standard_id, category, assistance_category, "
                   "standard_amount, subsidy, payable, late, newborn, transfer, coverage_start, coverage_end, "
                   "registered_on, registered_at, registered_by_id, paid_at, status, previous_insurer"),
    "payment": ("enrollment_payment",
                "enrollment_id, payer, amount, method, receipt_number, verification_code, idempotency_token, "
                "recorded_at, recorded_by_id"),
    "identity": ("assistance_assistanceidentity",
                 "id_number_encrypted, id_digest, id_masked, name, category, department, document_number, "
                 "valid_from, valid_to, status, source_id, imported_by_id, verified_by_id, verified_at, "
                 "revoked_by_id, revoked_at, revoke_reason"),
    "settlement": ("assistance_settlement",
                   "person_digest, id_masked, resident_id, year, settled_on, institution, kind, total, "
                   "policy_range, basic, catastrophic, assistance, personal, fingerprint, imported_at, "
                   "imported_by_id, invoice_number"),
}
CORE_TABLES = ("household", "resident", "death", "enrollment", "payment")


def assistance_tables_ready() -> str | None:
    """None when the assistance tables have exactly the columns above; else why not (the app's
    models are newer than this script)."""
    from django.apps import apps

    for table in ("identity", "settlement"):
        name, columns = COLUMNS[table]
        model = next((m for m in apps.get_models() if m._meta.db_table == name), None)
        if model is None:
            return f"no table {name}"
        actual = {field.column for field in model._meta.concrete_fields} - {"id"}
        expected = {column.strip() for column in columns.split(",")}
        if actual != expected:
            return f"{name} columns differ: {sorted(actual ^ expected)}"
    return None


def chunk_write(plan: Plan, start: int) -> dict[str, float | int]:
    """Generate and COPY one chunk in one transaction; the deferred foreign keys are checked at
    its commit. Runs in a worker process with its own connection."""
    from django.db import connection, transaction

    stop = min(start + CHUNK, plan.residents)
    began = time.perf_counter()
    lines = chunk_rows(plan, start, stop)
    generated = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, rows in lines.items():
            name, columns = COLUMNS[table]
            with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                copy.write("".join(rows))
    done = time.perf_counter()
    return {"python": generated - began, "database": done - generated,
            **{table: len(rows) for table, rows in lines.items()}}


def _worker_setup() -> None:
    import django

    django.setup()


def reserve_ids(residents: int) -> dict[str, int]:
    """Move each sequence past the block of ids the chunks will use, and return the blocks' starts."""
    from django.db import connection

    spans = {"resident": residents, "household": residents, "enrollment": 2 * residents}
    base = {}
    with connection.cursor() as cursor:
        for table, span in spans.items():
            sequence = f"enrollment_{table}"
            cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {sequence}")
            (first,) = cursor.fetchone()
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [sequence, first + span])
            base[table] = first
    return base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--database", default=scale_people.DATABASE_NAME)
    parser.add_argument("--no-assistance", action="store_true", help="no identities or settlements")
    args = parser.parse_args()
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server; the script makes its own database there.")
    if not args.database.startswith("portal_scale"):
        sys.exit("The database name must start with portal_scale: the script drops and recreates it.")
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": database_url(server_url, args.database)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

    began = time.perf_counter()
    recreate_database(server_url, args.database)
    migrate(env)
    os.environ.update(env)
    import django

    django.setup()
    demo_load()
    prepared = time.perf_counter()
    print(f"database {args.database}: created, migrated, demo loaded in {prepared - began:.1f} s", flush=True)
    from django.contrib.auth.models import User
    from django.db import connection, connections

    from enrollment.models import ContributionStandard

    region_ids = regions_create(args.residents)
    skipped = None if args.no_assistance else assistance_tables_ready()
    if args.no_assistance:
        skipped = "--no-assistance"
    if skipped:
        print(f"assistance identities and settlements not seeded: {skipped}")
    plan = Plan(
        residents=args.residents, region_ids=region_ids,
        standards={year: ContributionStandard.objects.published().get(year=year, region__code="370300000000").pk
                   for year in YEAR_RULES},
        officer=User.objects.get(username="officer").pk, verifier=User.objects.get(username="clerk_chezhan").pk,
        base=reserve_ids(args.residents), assistance=skipped is None,
    )
    connections.close_all()  # the workers are forked: each must open its own connection
    totals: dict[str, float] = {}
    with get_context("fork").Pool(args.jobs, initializer=_worker_setup) as pool:
        results = pool.starmap(chunk_write, [(plan, start) for start in range(0, args.residents, CHUNK)])
    for result in results:
        for key, value in result.items():
            totals[key] = totals.get(key, 0) + value
    written = time.perf_counter()
    with connection.cursor() as cursor:
        for table in results[0]:
            if table in COLUMNS:
                cursor.execute(f"VACUUM ANALYZE {COLUMNS[table][0]}")
        cursor.execute("ANALYZE portal_region")
    finished = time.perf_counter()
    print(f"regions: {len(region_ids)}; " + ", ".join(f"{table} {totals[table]:,.0f}" for table in COLUMNS if table in totals))
    print(f"rows written in {written - prepared:.1f} s with {args.jobs} jobs "
          f"(summed over chunks: Python {totals['python']:.1f} s, COPY + commit {totals['database']:.1f} s); "
          f"VACUUM ANALYZE {finished - written:.1f} s")
    print(f"seed total (after migrate + demo): {finished - prepared:.1f} s; "
          f"everything: {finished - began:.1f} s")


if __name__ == "__main__":
    main()
