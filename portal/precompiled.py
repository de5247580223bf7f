"""A values() queryset compiled to SQL once per thread, then run with new parameter values.

For a query that reads one person by an index, building and compiling the queryset costs more
than running it: the public lookup's record took 1.6 ms through the ORM and 0.45 ms as the same
SQL on a cursor (benchmarks/README.md). The hottest public reads are therefore built once, with
an example value in place of each parameter, and run later on a cursor Django makes, with
Django's own converters: they still show in ``assertNumQueries`` and return what ``.values()``
returns, on PostgreSQL and SQLite alike.

On PostgreSQL the server plans each run again, and for the lookup's three-table join planning
cost more than running it (0.35 ms against 0.10 ms prepared). So when the connection allows
prepared statements (``prepare_threshold`` in the database OPTIONS, portal/settings.py), these
queries run on a cursor that binds its parameters on the server, which psycopg prepares once
per connection. Django's own cursors bind on the client and are never prepared. psycopg keeps
no text of a prepared run, so while Django logs queries (DEBUG, ``assertNumQueries``) they run
unprepared and the log shows them whole. Binding on the server can refuse SQL that binding on
the client accepts (a parameter repeated in a GROUP BY expression), so a test runs every
instance both ways on PostgreSQL (tests/portal/test_precompiled.py).

    by_digest = PrecompiledValues(
        lambda digest: Resident.objects.filter(id_digest=digest).values("pk", "name"),
        examples=("example-digest",),
    )
    by_digest.rows("3f2a…")  # [{"pk": 7, "name": "王芳"}]
"""

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import NotSupportedError, connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

# Every instance made, so that a test can run each one the way production does.
INSTANCES: list["PrecompiledValues"] = []


@dataclass(frozen=True)
class _Compiled:
    alias: str
    sql: str
    params: tuple
    positions: tuple[int, ...]  # where each parameter goes in params, in the order of examples
    names: tuple[str, ...]
    compiler: SQLCompiler
    converters: dict


class PrecompiledValues:
    """A values() queryset compiled once; ``rows(*values)`` runs it (module docstring)."""

    def __init__(self, build: Callable[..., QuerySet], *, examples: Sequence[Any]):
        """``build(*examples)`` must return a values() queryset in which each example value is
        a parameter exactly once; pick examples no real parameter equals (a digest that is not
        hex, a negative id). Every other value in the query is fixed when it is compiled, so it
        must not depend on the moment (no ``timezone.now()``, no setting that tests change)."""
        self._build = build
        self.examples = tuple(examples)
        # A compiler holds its thread's connection, so each thread compiles its own.
        self._local = threading.local()
        INSTANCES.append(self)

    def rows(self, *values) -> list[dict]:
        compiled = self._compiled()
        params = list(compiled.params)
        for position, value in zip(compiled.positions, values, strict=True):
            params[position] = value
        connection = connections[compiled.alias]
        prepared = _may_prepare(connection)
        try:
            rows = _fetch(connection, compiled.sql, params, prepared=prepared)
        except NotSupportedError:
            # "cached plan must not change result type": a migration run by another process
            # changed a column while this connection kept the plan. A new connection has no
            # prepared statements; outside a transaction, run once more on one.
            if not prepared or connection.in_atomic_block:
                raise
            connection.close()
            rows = _fetch(connection, compiled.sql, params, prepared=_may_prepare(connection))
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return [dict(zip(compiled.names, row)) for row in rows]

    def _compiled(self) -> _Compiled:
        compiled = getattr(self._local, "compiled", None)
        if compiled is None:
            compiled = self._local.compiled = self._compile()
        return compiled

    def _compile(self) -> _Compiled:
        queryset = self._build(*self.examples)
        query = queryset.query
        if query.default_cols:  # the model's own columns: a queryset of instances, not of values()
            raise TypeError("PrecompiledValues needs a values() queryset.")
        compiler = query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        positions = []
        for example in self.examples:
            found = [index for index, param in enumerate(params) if param == example]
            if len(found) != 1:
                raise ValueError(f"The example {example!r} is {len(found)} parameters of the query, not one.")
            positions.append(found[0])
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        return _Compiled(
            alias=queryset.db, sql=sql, params=tuple(params), positions=tuple(positions),
            names=(*query.extra_select, *query.values_select, *query.annotation_select),
            compiler=compiler, converters=compiler.get_converters(fields),
        )


def _may_prepare(connection) -> bool:
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    return (connection.vendor == "postgresql" and not connection.queries_logged
            and getattr(connection.connection, "prepare_threshold", None) is not None)


def _fetch(connection, sql: str, params: list, *, prepared: bool) -> list[tuple]:
    with _binding_on_server(connection) if prepared else connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _binding_on_server(connection):
    """Django's cursor (its error wrapping, time zone and thread checks) made while the psycopg
    connection makes cursors that bind on the server."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    raw = connection.connection
    made_by = raw.cursor_factory
    raw.cursor_factory = ServerBindingCursor
    try:
        return connection.cursor()
    finally:
        raw.cursor_factory = made_by
