"""The triggers that mark the dashboard's rollup dirty (models/stats/rollup.py), in the
change's own transaction, whoever makes it: on `request` (its creation moment and its
window, old and new), on `approval_step` (a decision's day) and on `audit_log` (a
repair's records). SQLite's are made again at every start; PostgreSQL's come with
migrations 13 and 14 (and with the schema of a test database made from the models)."""

from __future__ import annotations

# What changes a figure: a request's type, status, department, creation, window, vehicle
# or room, rating, worker or driver. Each trigger marks the request's creation moment
# and its window, old and new.
_MARKED = ('type, status, department_id_at, created_at, start, "end", vehicle_id, facility_id, '
           "rating, assignee_id, driver_id, details")  # details: a trip's readings and costs


def _sqlite_marks(row: str) -> str:
    return (f"INSERT INTO stats_dirty (lo, hi) VALUES ({row}.created_at, {row}.created_at); "  # noqa: S608
            f'INSERT INTO stats_dirty (lo, hi) SELECT {row}.start, {row}."end" '
            f'WHERE {row}.start IS NOT NULL AND {row}."end" IS NOT NULL;')


# The waits (models/stats/waits.py) change with a step's decision (its day, and the next
# step's wait, which begins there), with a repair's 'create', 'assign' and 'completed'
# records (the day the repair was reported), and with the request's type, department or
# creation (every decided step's day).
_STEP_MARKS = ("INSERT INTO stats_dirty (lo, hi) SELECT {row}.decided_at, {row}.decided_at "
               "WHERE {row}.decided_at IS NOT NULL; "
               "INSERT INTO stats_dirty (lo, hi) SELECT decided_at, decided_at FROM approval_step "
               "WHERE request_id = {row}.request_id AND seq = {row}.seq + 1 "
               "AND decided_at IS NOT NULL;")
_AUDIT_MARKS = ("INSERT INTO stats_dirty (lo, hi) SELECT created_at, created_at FROM request "
                "WHERE id = {row}.request_id AND type = 'repair_request' "
                "AND {row}.action IN ('create', 'assign', 'completed');")
_REQUEST_STEPS = ("INSERT INTO stats_dirty (lo, hi) SELECT decided_at, decided_at FROM approval_step "
                  "WHERE request_id = {row}.id AND decided_at IS NOT NULL;")

# Made again at every start (SQLite's schema comes from the models, not migrations), so a
# changed definition reaches an existing database.
SQLITE_TRIGGERS = f"""
DROP INDEX IF EXISTS idx_audit_log_request_0569ff;  -- (request_id, action): now with `at`
DROP TRIGGER IF EXISTS stats_dirty_insert;
DROP TRIGGER IF EXISTS stats_dirty_update;
DROP TRIGGER IF EXISTS stats_dirty_delete;
DROP TRIGGER IF EXISTS stats_dirty_request_steps;
DROP TRIGGER IF EXISTS stats_dirty_step_insert;
DROP TRIGGER IF EXISTS stats_dirty_step_update;
DROP TRIGGER IF EXISTS stats_dirty_step_delete;
DROP TRIGGER IF EXISTS stats_dirty_audit_insert;
DROP TRIGGER IF EXISTS stats_dirty_audit_delete;
CREATE TRIGGER stats_dirty_insert AFTER INSERT ON request
BEGIN {_sqlite_marks("NEW")} END;
CREATE TRIGGER stats_dirty_update AFTER UPDATE OF {_MARKED} ON request
BEGIN {_sqlite_marks("OLD")} {_sqlite_marks("NEW")} END;
CREATE TRIGGER stats_dirty_delete AFTER DELETE ON request
BEGIN {_sqlite_marks("OLD")} END;
CREATE TRIGGER stats_dirty_request_steps AFTER UPDATE OF type, department_id_at, created_at ON request
WHEN OLD.type IS NOT NEW.type OR OLD.department_id_at IS NOT NEW.department_id_at
    OR OLD.created_at IS NOT NEW.created_at
BEGIN {_REQUEST_STEPS.format(row="NEW")} END;
CREATE TRIGGER stats_dirty_step_insert AFTER INSERT ON approval_step
BEGIN {_STEP_MARKS.format(row="NEW")} END;
CREATE TRIGGER stats_dirty_step_update AFTER UPDATE OF decided_at, seq, role, request_id ON approval_step
BEGIN {_STEP_MARKS.format(row="OLD")} {_STEP_MARKS.format(row="NEW")} END;
CREATE TRIGGER stats_dirty_step_delete AFTER DELETE ON approval_step
BEGIN {_STEP_MARKS.format(row="OLD")} END;
CREATE TRIGGER stats_dirty_audit_insert AFTER INSERT ON audit_log
BEGIN {_AUDIT_MARKS.format(row="NEW")} END;
CREATE TRIGGER stats_dirty_audit_delete AFTER DELETE ON audit_log
BEGIN {_AUDIT_MARKS.format(row="OLD")} END;
"""  # noqa: S608

_PG_REQUEST = f"""
CREATE OR REPLACE FUNCTION stats_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO stats_dirty (lo, hi) VALUES (OLD.created_at, OLD.created_at);
        IF OLD.start IS NOT NULL AND OLD."end" IS NOT NULL THEN
            INSERT INTO stats_dirty (lo, hi) VALUES (OLD.start, OLD."end");
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO stats_dirty (lo, hi) VALUES (NEW.created_at, NEW.created_at);
        IF NEW.start IS NOT NULL AND NEW."end" IS NOT NULL THEN
            INSERT INTO stats_dirty (lo, hi) VALUES (NEW.start, NEW."end");
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.type IS DISTINCT FROM NEW.type
            OR OLD.department_id_at IS DISTINCT FROM NEW.department_id_at
            OR OLD.created_at IS DISTINCT FROM NEW.created_at) THEN
        {_REQUEST_STEPS.format(row="NEW")}
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS stats_dirty_request ON request;
CREATE TRIGGER stats_dirty_request AFTER INSERT OR DELETE OR UPDATE OF {_MARKED}
    ON request FOR EACH ROW EXECUTE FUNCTION stats_mark_dirty();
"""  # noqa: S608


def _pg_marker(function: str, marks: str) -> str:
    """A PostgreSQL row trigger's function that marks the old row's days and the new's."""
    return f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        {marks.format(row="OLD")}
    END IF;
    IF TG_OP <> 'DELETE' THEN
        {marks.format(row="NEW")}
    END IF;
    RETURN NULL;
END $$;"""


# The waits' triggers (migration 14); POSTGRES_TRIGGERS has all, for test databases made
# from the models.
POSTGRES_WAIT_TRIGGERS = f"""{_PG_REQUEST}
{_pg_marker("stats_mark_step", _STEP_MARKS)}
DROP TRIGGER IF EXISTS stats_dirty_step ON approval_step;
CREATE TRIGGER stats_dirty_step AFTER INSERT OR DELETE OR UPDATE OF decided_at, seq, role, request_id
    ON approval_step FOR EACH ROW EXECUTE FUNCTION stats_mark_step();
{_pg_marker("stats_mark_audit", _AUDIT_MARKS)}
DROP TRIGGER IF EXISTS stats_dirty_audit ON audit_log;
CREATE TRIGGER stats_dirty_audit AFTER INSERT OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION stats_mark_audit();
"""  # noqa: S608
POSTGRES_TRIGGERS = POSTGRES_WAIT_TRIGGERS
