"""PrecompiledValues: the same rows as .values(), one counted query, on SQLite and PostgreSQL."""

import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from enrollment.models import Enrollment, Resident
from portal.precompiled import PrecompiledValues

pytestmark = pytest.mark.django_db

COLUMNS = ("pk", "name", "enrollments__year", "enrollments__payable", "enrollments__paid_at",
           "enrollments__coverage_start", "enrollments__region__name")


def by_digest(digest):
    return Resident.objects.filter(id_digest=digest).order_by("enrollments__year").values(*COLUMNS)


BY_DIGEST = PrecompiledValues(by_digest, examples=("not a digest",))


def test_rows_are_what_values_returns_with_the_same_python_types(demo):
    paid = Enrollment.objects.filter(paid_at__isnull=False).select_related("resident").first()
    unenrolled = Resident.objects.create(name="赵六", id_digest="f" * 64, id_masked="3703**********0000", gender="female",
                                         region=paid.resident.region, birth_date=paid.resident.birth_date,
                                         household=paid.resident.household)
    for resident in (paid.resident, unenrolled):
        rows = BY_DIGEST.rows(resident.id_digest)
        assert rows == list(by_digest(resident.id_digest))
    rows = BY_DIGEST.rows(paid.resident.id_digest)
    row = next(r for r in rows if r["enrollments__year"] == paid.year)
    assert isinstance(row["enrollments__payable"], Decimal) and row["enrollments__payable"] == paid.payable
    assert row["enrollments__paid_at"] == paid.paid_at and row["enrollments__paid_at"].tzinfo is not None
    assert row["enrollments__coverage_start"] == paid.coverage_start
    assert BY_DIGEST.rows(unenrolled.id_digest) == [
        {"pk": unenrolled.pk, "name": "赵六", **{column: None for column in COLUMNS[2:]}}]
    assert BY_DIGEST.rows("0" * 64) == []


def test_each_run_is_one_query_in_the_counted_queries(demo):
    resident = Resident.objects.first()
    BY_DIGEST.rows(resident.id_digest)
    with CaptureQueriesContext(connection) as queries:
        BY_DIGEST.rows(resident.id_digest)
    assert len(queries.captured_queries) == 1
    assert resident.id_digest in queries.captured_queries[0]["sql"]


def test_the_example_must_be_exactly_one_parameter():
    twice = PrecompiledValues(lambda name: Resident.objects.filter(name=name, household__head__name=name)
                              .values("pk"), examples=("张三",))
    with pytest.raises(ValueError, match="2 parameters"):
        twice.rows("李四")
    absent = PrecompiledValues(lambda name: Resident.objects.filter(name="张三").values("pk"), examples=("李四",))
    with pytest.raises(ValueError, match="0 parameters"):
        absent.rows("王五")


def test_only_values_querysets_are_accepted():
    for build in (lambda name: Resident.objects.filter(name=name),
                  lambda name: Resident.objects.annotate(years=Count("enrollments")).filter(name=name)):
        with pytest.raises(TypeError):
            PrecompiledValues(build, examples=("张三",)).rows("李四")


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_the_query_is_prepared_once_and_nothing_else_is(demo):
    resident = Resident.objects.first()
    assert BY_DIGEST.rows(resident.id_digest) == list(by_digest(resident.id_digest))
    prepared = [sql for sql in _prepared_statements() if '"id_digest" = $1' in sql]
    assert len(prepared) == 1
    assert BY_DIGEST.rows("0" * 64) == [] and len(BY_DIGEST.rows(resident.id_digest)) >= 1
    # Django's own queries bind on the client and are never prepared.
    Resident.objects.filter(name=resident.name).count()
    assert _prepared_statements() == prepared


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_without_prepared_statements_the_same_rows_come_unprepared(demo, monkeypatch):
    resident = Resident.objects.first()
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    assert BY_DIGEST.rows(resident.id_digest) == list(by_digest(resident.id_digest))
    assert not [sql for sql in _prepared_statements() if '"id_digest" = $1' in sql]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_every_precompiled_query_gives_the_same_rows_prepared_and_not(demo):
    from portal.precompiled import INSTANCES

    for module in ("assistance.case_views", "enrollment.lookup_records"):  # they make their instances
        importlib.import_module(module)

    # The project's instances and this module's first; the others here are made to be refused.
    made_here = [instance for instance in INSTANCES if instance._build.__module__ == __name__]
    for instance in [instance for instance in INSTANCES if instance not in made_here] + [BY_DIGEST]:
        prepared = instance.rows(*instance.examples)
        with CaptureQueriesContext(connection):  # a logged run binds on the client
            assert instance.rows(*instance.examples) == prepared
    assert len(INSTANCES) - len(made_here) >= 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_column_changed_by_another_process_does_not_break_the_kept_plan(demo):
    import psycopg

    resident = Resident.objects.first()
    expected = BY_DIGEST.rows(resident.id_digest)
    assert [sql for sql in _prepared_statements() if '"id_digest" = $1' in sql]
    settings_dict = connection.settings_dict
    other = psycopg.connect(dbname=settings_dict["NAME"], host=settings_dict["HOST"] or None,
                            port=settings_dict["PORT"] or None, user=settings_dict["USER"] or None, autocommit=True)
    try:
        other.execute("ALTER TABLE enrollment_resident ALTER COLUMN name TYPE varchar(60)")
        assert BY_DIGEST.rows(resident.id_digest) == expected
        assert BY_DIGEST.rows(resident.id_digest) == expected
    finally:
        other.execute("ALTER TABLE enrollment_resident ALTER COLUMN name TYPE varchar(50)")
        other.close()
