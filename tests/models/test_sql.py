"""Our fixed SQL in each dialect (models/sql.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from models.sql import in_dialect

POSTGRES = SimpleNamespace(capabilities=SimpleNamespace(dialect="postgres"))
SQLITE = SimpleNamespace(capabilities=SimpleNamespace(dialect="sqlite"))


def test_sqlite_keeps_its_placeholders() -> None:
    sql = "UPDATE t SET a = ?1 WHERE b = ?2 OR c = ?1"
    assert in_dialect(SQLITE, sql) is sql


def test_postgres_numbers_them_in_order_or_as_written() -> None:
    assert in_dialect(POSTGRES, "SELECT * FROM t WHERE a = ? AND b = ?") == "SELECT * FROM t WHERE a = $1 AND b = $2"
    assert in_dialect(POSTGRES, "UPDATE t SET a = ?2 WHERE id = ?1 OR p = ?1") == \
        "UPDATE t SET a = $2 WHERE id = $1 OR p = $1"


@pytest.mark.parametrize("sql", [
    "SELECT * FROM t WHERE note = 'why?' AND id = ?",
    'SELECT "odd?" FROM t WHERE id = ?',
    "SELECT * FROM t WHERE id = ? -- which one?",
    "SELECT /* ? */ * FROM t WHERE id = ?",
])
def test_a_question_mark_that_is_not_a_placeholder_is_refused(sql: str) -> None:
    with pytest.raises(ValueError, match="inside a literal"):
        in_dialect(POSTGRES, sql)


def test_quotes_without_a_question_mark_are_fine() -> None:
    assert in_dialect(POSTGRES, "SELECT * FROM \"user\" WHERE status = 'it''s' AND id = ?") == \
        "SELECT * FROM \"user\" WHERE status = 'it''s' AND id = $1"
