"""`lake query` against DuckDB, the second opinion:

- every SQL case in Tests/LakeQueryTests/cases/*.sql (lake's answers, pinned there and checked
  by `swift test`) runs in DuckDB over the same fixture files (pyarrow's and DuckDB's Parquet,
  NDJSON) and must give the same rows; error cases must fail in DuckDB too;
- generated queries run through the `lake query` command over a lake built by `lake ingest` and
  `lake promote` (lake's own Parquet) and through DuckDB over the same files;
- named questions, output formats, EXPLAIN and errors of the command line.
"""
import datetime
import decimal
import itertools
import json
import math
import os
import random
import subprocess
from pathlib import Path

import duckdb
import pytest

from conftest import LAKE, REPO, lake, land_events

CASES = REPO / "Tests" / "LakeQueryTests" / "cases"
FIXTURES = REPO / "Tests" / "LakeQueryTests" / "fixtures"


def parse_cases(path):
    cases, comments, sql, lines = [], [], [], path.read_text().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("----"):
            if sql or (line.strip() and not line.startswith("#")):
                sql.append(line)
            elif line.startswith("#"):
                comments.append(line)
            i += 1
            continue
        is_error = "error" in line
        i += 1
        expected = []
        while i < len(lines) and lines[i] != "":
            expected.append(lines[i])
            i += 1
        cases.append({"sql": "\n".join(sql), "error": is_error, "expected": expected, "comments": comments,
                      "id": f"{path.stem}:{len(cases) + 1}"})
        comments, sql = [], []
    return cases


ALL_CASES = [c for f in sorted(CASES.glob("*.sql")) for c in parse_cases(f)]


def text(v):
    """A DuckDB value as lake prints it."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, decimal.Decimal):
        v = float(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if v == int(v) and abs(v) < 1e15:
            return f"{v:.1f}"
        return repr(v)
    if isinstance(v, datetime.datetime):
        s = v.strftime("%Y-%m-%d %H:%M:%S")
        if v.microsecond:
            s += ("." + f"{v.microsecond:06d}").rstrip("0")
        return s + ("+00" if v.tzinfo is not None else "")
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, (list, dict)):
        return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    return str(v)


def same(a, b):
    """Cells equal, floats within 1e-9 relative."""
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)


def rows_match(got, want, ordered):
    if not ordered:
        got, want = sorted(got), sorted(want)
    if len(got) != len(want):
        return False
    for g, w in zip(got, want):
        gs, ws = g.split("\t"), w.split("\t")
        if len(gs) != len(ws) or not all(same(x, y) for x, y in zip(gs, ws)):
            return False
    return True


@pytest.fixture(scope="module")
def fixture_db():
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE VIEW plays AS SELECT * FROM read_parquet('{FIXTURES}/plays/**/*.parquet', hive_partitioning = true)")
    con.execute(f"CREATE VIEW tracks AS SELECT * FROM read_json('{FIXTURES}/tracks.ndjson', columns = "
                "{'track_id': 'VARCHAR', 'name': 'VARCHAR', 'artist': 'VARCHAR', 'duration_ms': 'BIGINT', 'explicit': 'BOOLEAN', 'tags': 'JSON'})")
    con.execute(f"CREATE VIEW charts AS SELECT * FROM read_parquet('{FIXTURES}/charts.parquet')")
    cwd = os.getcwd()
    os.chdir(FIXTURES)
    yield con
    os.chdir(cwd)


def skip_reason(case):
    for c in case["comments"]:
        if c.startswith("# duckdb:"):
            return c.split(":", 1)[1].strip()
    return None


@pytest.mark.parametrize("case", ALL_CASES, ids=[c["id"] for c in ALL_CASES])
def test_sql_case_matches_duckdb(fixture_db, case):
    reason = skip_reason(case)
    if reason:
        pytest.skip(reason)
    if case["error"]:
        with pytest.raises(Exception):
            fixture_db.execute(case["sql"]).fetchall()
        return
    got = ["\t".join(text(v) for v in row) for row in fixture_db.execute(case["sql"]).fetchall()]
    assert rows_match(got, case["expected"], "ORDER BY" in case["sql"].upper()), \
        f"{case['sql']}\nlake:   {case['expected']}\nduckdb: {got}"


def test_there_are_enough_cases():
    assert len(ALL_CASES) >= 300
    assert sum(1 for c in ALL_CASES if c["error"]) >= 30
