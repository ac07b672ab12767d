"""PostgreSQL through libpq itself, for the reads with the driver alone (issue 14).

Those reads (store/dbapi.py) ask four things of a driver: run a SELECT with parameters,
stream its rows, COPY it out, say what went wrong. psycopg does all that and much more,
and its import alone (~0.12 s: asyncio, logging, importlib.metadata, its adapters) took
longer than reading `overdue` or `status` of 100k actions. Here the libpq psycopg
itself uses (psycopg-binary's copy, else the system's) is called through ctypes, as
psycopg's own pure-Python implementation calls it; where none is found, store/dbapi.py
takes psycopg.

A C call per value cost more than psycopg's C loop (0.9 s for 23k rows of 13 columns),
so the server writes each row as a JSON array (json_build_array) and a batch of rows is
one json.loads (0.1 s). The column types, read when the query is prepared, turn dates,
times and numerics into the values psycopg gives. Placeholders are psycopg's (`%s`).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from decimal import Decimal
from functools import cache
from glob import escape, glob
from itertools import count
from typing import Any

_P, _S, _I, _U = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint
_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {  # name: (restype, argtypes), as libpq-fe.h
    "PQconnectdbParams": (_P, [ctypes.POINTER(_S), ctypes.POINTER(_S), _I]),
    "PQstatus": (_I, [_P]),
    "PQerrorMessage": (_S, [_P]),
    "PQfinish": (None, [_P]),
    "PQexec": (_P, [_P, _S]),
    "PQsendQuery": (_I, [_P, _S]),
    "PQexecParams": (_P, [_P, _S, _I, ctypes.POINTER(_U), ctypes.POINTER(_S), _P, _P, _I]),
    "PQprepare": (_P, [_P, _S, _S, _I, ctypes.POINTER(_U)]),
    "PQdescribePrepared": (_P, [_P, _S]),
    "PQresultStatus": (_I, [_P]),
    "PQresultErrorField": (_S, [_P, _I]),
    "PQresultErrorMessage": (_S, [_P]),
    "PQntuples": (_I, [_P]),
    "PQnfields": (_I, [_P]),
    "PQftype": (_U, [_P, _I]),
    "PQgetvalue": (_S, [_P, _I, _I]),
    "PQclear": (None, [_P]),
    "PQgetCopyData": (_I, [_P, ctypes.POINTER(_P), _I]),
    "PQgetResult": (_P, [_P]),
    "PQfreemem": (None, [_P]),
    "PQescapeLiteral": (_P, [_P, _S, ctypes.c_size_t]),
}
_COMMAND_OK, _TUPLES_OK, _COPY_OUT = 1, 2, 3  # ExecStatusType
_MESSAGE, _SQLSTATE = ord("M"), ord("C")  # PG_DIAG_MESSAGE_PRIMARY, PG_DIAG_SQLSTATE


# SQLSTATE classes psycopg raises as ProgrammingError: a query of ours that is wrong.
BUG_CLASSES = frozenset({"42", "26", "34"})


class Error(Exception):
    """What libpq or the server said, first line; `sqlstate` the server's code ("" for
    what libpq says itself, such as a lost connection)."""

    def __init__(self, message: str, sqlstate: str = "") -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def _candidates() -> Iterator[str]:
    """psycopg-binary's libpq (the one psycopg would load), then the system's."""
    for entry in sys.path:
        for pattern in ("psycopg_binary.libs/libpq-*.so*", "psycopg_binary/.dylibs/libpq*.dylib"):
            yield from sorted(glob(os.path.join(escape(entry), pattern)))
    yield from ("libpq.so.5", "libpq.5.dylib")


@cache
def library() -> Any:
    """libpq with the signatures set, or None where no libpq loads."""
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        try:
            for name, (restype, argtypes) in _SIGNATURES.items():
                function = getattr(lib, name)
                function.restype, function.argtypes = restype, argtypes
        except AttributeError:  # a libpq older than these calls
            continue
        return lib
    return None


def connect(conninfo: str, *, connect_timeout: int, options: str) -> PqConnection:
    """A connection in a read-only transaction, as psycopg's with `read_only` set."""
    lib = library()
    settings = {"dbname": conninfo, "connect_timeout": str(connect_timeout),
                "options": options, "client_encoding": "UTF8"}  # fmt: skip
    keys = (_S * (len(settings) + 1))(*(k.encode() for k in settings), None)
    values = (_S * (len(settings) + 1))(*(v.encode() for v in settings.values()), None)
    handle = lib.PQconnectdbParams(keys, values, 1)
    if not handle:
        raise Error("out of memory")
    conn = PqConnection(lib, handle)
    if lib.PQstatus(handle) != 0:  # CONNECTION_OK
        message = conn.message()
        conn.close()
        raise Error(message)
    conn.command("BEGIN READ ONLY")
    return conn


class PqConnection:
    """One connection: psycopg's cursor(), copy() and close(), as store/dbapi.py uses them."""

    def __init__(self, lib: Any, handle: int) -> None:
        self.lib = lib
        self.handle: int | None = handle
        self.ahead: Cursor | None = None  # the cursor whose next FETCH is on its way

    def ready(self) -> int | None:
        """The handle, once a FETCH sent ahead has been taken in (as that cursor's next
        batch): libpq runs one command at a time on a connection."""
        ahead, self.ahead = self.ahead, None
        if ahead is not None:
            ahead.early = self.result()
        return self.handle

    def result(self) -> int | None:
        """The result of the command sent ahead, libpq's queue emptied after it."""
        found = self.lib.PQgetResult(self.handle)
        while extra := self.lib.PQgetResult(self.handle):
            self.lib.PQclear(extra)
        return int(found or 0)

    def message(self) -> str:
        text = (self.lib.PQerrorMessage(self.handle) or b"").decode("utf-8", "replace")
        return (text.strip().splitlines() or ["the connection failed"])[0]

    def checked(self, result: int | None, *expected: int) -> int:
        """`result` when its status is one of `expected`; else it is freed and raised."""
        lib = self.lib
        if not result:
            raise Error(self.message())
        if lib.PQresultStatus(result) in expected:
            return result
        message = lib.PQresultErrorField(result, _MESSAGE) or lib.PQresultErrorMessage(result)
        sqlstate = (lib.PQresultErrorField(result, _SQLSTATE) or b"").decode()
        lib.PQclear(result)
        raise Error(message.decode("utf-8", "replace").strip() or "query failed", sqlstate)

    def command(self, sql: str) -> None:
        self.lib.PQclear(self.checked(self.lib.PQexec(self.ready(), sql.encode()), _COMMAND_OK))

    def cursor(self, name: str | None = None) -> Cursor:
        return Cursor(self, name)

    def literal(self, value: Any) -> str:
        """A parameter written into a statement, as psycopg binds a COPY's."""
        if value is None or isinstance(value, bool):
            return {None: "NULL", True: "true", False: "false"}[value]
        if isinstance(value, int | float):  # " -5": after a "-" it would start a comment
            if not math.isfinite(value):
                return f"'{value!r}'::float8"
            return f" {value!r}" if value < 0 else repr(value)
        text, cast = _text(value)
        raw = text.encode()
        escaped = self.lib.PQescapeLiteral(self.handle, raw, len(raw))
        if not escaped:
            raise Error(self.message())
        try:
            quoted = ctypes.string_at(escaped).decode()
        finally:
            self.lib.PQfreemem(escaped)
        return f"{quoted}::{cast}" if cast else quoted

    def close(self) -> None:
        if self.handle is not None:
            self.lib.PQfinish(self.handle)
            self.handle = None


def _text(value: Any) -> tuple[str, str]:
    """A parameter as text and the type it is sent as ("" for the server to infer)."""
    if isinstance(value, str):
        if "\0" in value:
            raise Error("a text holds a NUL character, which PostgreSQL cannot store", "22021")
        return value, ""
    if isinstance(value, dt.datetime):
        return value.isoformat(), "timestamptz" if value.tzinfo else "timestamp"
    if isinstance(value, dt.date):
        return value.isoformat(), "date"
    raise TypeError(f"cannot send a {type(value).__name__} to PostgreSQL")


_OIDS = {"": 0, "date": 1082, "timestamp": 1114, "timestamptz": 1184}


_INTS = ((21, 15), (23, 31), (20, 63))  # int2, int4, int8 (else numeric)


def _param(value: Any) -> tuple[int, bytes | None]:
    """(type oid, text) of a parameter, as psycopg sends it: text untyped, for the
    server to infer."""
    if value is None:
        return 0, None
    if isinstance(value, bool):
        return 16, b"t" if value else b"f"
    if isinstance(value, int):  # the smallest type that holds it, as psycopg's
        oid = next((oid for oid, bits in _INTS if -(1 << bits) <= value < 1 << bits), 1700)
        return oid, str(value).encode()
    if isinstance(value, float):
        return 701, repr(value).encode()
    text, cast = _text(value)
    return _OIDS[cast], text.encode()


def _numbered(query: str) -> str:
    """psycopg's `%s` placeholders as libpq's `$1, $2, ...`, `%%` as `%`."""
    numbers = count(1)
    return re.sub(r"%([s%])", lambda m: f"${next(numbers)}" if m[1] == "s" else "%", query)


Row = tuple[Any, ...]
Decode = Callable[[list[bytes]], list[Row]]


def _bytea(text: str) -> bytes:
    return bytes.fromhex(text[2:])  # "\\x0a0b"


# What JSON does not carry: the values psycopg gives for these column types.
_CONVERT: dict[int, Callable[[Any], Any]] = {
    1082: dt.date.fromisoformat, 1114: dt.datetime.fromisoformat,
    1184: dt.datetime.fromisoformat, 1083: dt.time.fromisoformat,
    700: float, 701: float, 1700: Decimal, 17: _bytea,
}  # fmt: skip
_SELECT = re.compile(r"\s*\(*\s*(SELECT|WITH|VALUES|TABLE)\b", re.IGNORECASE)
_MAX_COLUMNS = 100  # json_build_array's arguments, as any function's


def _decoder(types: Sequence[int]) -> Decode:
    """Rows from the server's JSON arrays of a batch, typed by the columns' oids."""
    convert = [(i, _CONVERT[oid]) for i, oid in enumerate(types) if oid in _CONVERT]
    exact = 1700 in types  # numeric: Decimal, as psycopg, not float

    def decode(values: list[bytes]) -> list[Row]:
        text = b"[" + b",".join(values) + b"]"
        rows = json.loads(text, parse_float=Decimal) if exact else json.loads(text)
        if not convert:
            return list(map(tuple, rows))
        try:
            for row in rows:
                for i, typed in convert:
                    if row[i] is not None:
                        row[i] = typed(row[i])
        except ValueError as exc:  # a date psycopg cannot read either (BC, infinity)
            raise Error(f"a value Python cannot read: {exc}", "22008") from None
        return list(map(tuple, rows))

    return decode


class Cursor:
    """psycopg's cursor as store/dbapi.py uses it; named, a server-side cursor."""

    def __init__(self, conn: PqConnection, name: str | None) -> None:
        self.conn, self.name = conn, name
        self.itersize = 100  # psycopg's attribute; the batch read is fetchmany's
        self.rows: list[Row] = []
        self.decode: Decode = _decoder(())
        self.early: int | None = None  # a FETCH sent ahead, taken in before it was asked for

    def execute(self, query: str, params: Sequence[Any] = ()) -> None:
        sql = _numbered(query)
        sent = [_param(value) for value in params]
        wrapped = self._described(sql, [oid for oid, _ in sent])
        if self.name is None:
            self.rows = self._read(self._sent(wrapped, sent))
            return
        declared = f'DECLARE "{self.name}" NO SCROLL CURSOR FOR {wrapped}'
        self.conn.lib.PQclear(self.conn.checked(self._sent(declared, sent), _COMMAND_OK))

    def _described(self, sql: str, oids: list[int]) -> str:
        """The query as JSON rows, its decoder set from its columns' types."""
        conn, lib = self.conn, self.conn.lib
        prepared = lib.PQprepare(
            conn.ready(), b"", sql.encode(), len(oids), (_U * len(oids))(*oids)
        )
        lib.PQclear(conn.checked(prepared, _COMMAND_OK))
        described = conn.checked(lib.PQdescribePrepared(conn.handle, b""), _COMMAND_OK)
        types = [lib.PQftype(described, i) for i in range(lib.PQnfields(described))]
        lib.PQclear(described)
        if not types:
            return sql
        if not _SELECT.match(sql):  # EXPLAIN, SHOW: rows, but no subquery can hold them
            raise TypeError("store/libpq.py reads SELECT statements only")
        if len(types) > _MAX_COLUMNS:
            raise TypeError(f"a query of {len(types)} columns: at most {_MAX_COLUMNS}")
        self.decode = _decoder(types)
        columns = ", ".join(f"c{i}" for i in range(len(types)))
        return f"SELECT json_build_array({columns}) FROM ({sql}) AS q({columns})"

    def _sent(self, sql: str, sent: list[tuple[int, bytes | None]]) -> int | None:
        n, lib = len(sent), self.conn.lib
        oids = (_U * n)(*(oid for oid, _ in sent))
        texts = (_S * n)(*(text for _, text in sent))
        return int(
            lib.PQexecParams(self.conn.ready(), sql.encode(), n, oids, texts, None, None, 0) or 0
        )

    def _read(self, result: int | None) -> list[Row]:
        values = self._values(result)
        return self.decode(values) if values else []

    def _values(self, result: int | None) -> list[bytes]:
        """The rows of a result as the server's JSON texts; the result is freed."""
        lib = self.conn.lib
        done = self.conn.checked(result, _TUPLES_OK)
        try:
            return [lib.PQgetvalue(done, i, 0) for i in range(lib.PQntuples(done))]
        finally:
            lib.PQclear(done)

    def fetchmany(self, size: int) -> list[Row]:
        """The next `size` rows. A server-side cursor's next FETCH is sent before this
        batch is decoded, so the server writes it while Python reads this one."""
        if self.name is None:
            taken, self.rows = self.rows[:size], self.rows[size:]
            return taken
        conn, fetch = self.conn, f'FETCH {int(size)} FROM "{self.name}"'.encode()
        fetched: int | None
        if self.early is not None:
            fetched, self.early = self.early, None
        elif conn.ahead is self:
            conn.ahead = None
            fetched = conn.result()
        else:
            fetched = conn.lib.PQexec(conn.ready(), fetch)
        values = self._values(fetched)
        if len(values) == size and conn.lib.PQsendQuery(conn.ready(), fetch):
            conn.ahead = self
        return self.decode(values) if values else []

    def fetchall(self) -> list[Row]:
        if self.name is None:
            taken, self.rows = self.rows, []
            return taken
        rows: list[Row] = []
        while batch := self.fetchmany(10_000):
            rows += batch
        return rows

    @contextmanager
    def copy(self, statement: str, params: Sequence[Any] = ()) -> Iterator[Iterator[bytes]]:
        """COPY ... TO STDOUT, its parameters written in (a COPY takes none), its rows as
        the server sends them."""
        conn = self.conn
        literals = iter([conn.literal(value) for value in params])
        sql = re.sub(r"%([s%])", lambda m: next(literals) if m[1] == "s" else "%", statement)
        conn.lib.PQclear(conn.checked(conn.lib.PQexec(conn.ready(), sql.encode()), _COPY_OUT))
        yield _copied(conn)

    def close(self) -> None:
        if self.name is not None and self.conn.handle is not None:
            self.conn.ready()  # a FETCH of ours on its way: taken in, then freed
            if self.early is not None:
                self.conn.lib.PQclear(self.early)
                self.early = None
            with suppress(Error):  # the transaction failed: nothing is left open
                self.conn.command(f'CLOSE "{self.name}"')
            self.name = None

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _copied(conn: PqConnection) -> Iterator[bytes]:
    lib, handle, buffer = conn.lib, conn.handle, _P()
    while (size := lib.PQgetCopyData(handle, ctypes.byref(buffer), 0)) > 0:
        data = ctypes.string_at(buffer, size)
        lib.PQfreemem(buffer)
        yield data
    if size == -2:
        raise Error(conn.message())
    lib.PQclear(conn.checked(lib.PQgetResult(handle), _COMMAND_OK))
    while leftover := lib.PQgetResult(handle):
        lib.PQclear(leftover)
