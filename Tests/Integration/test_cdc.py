"""PostgreSQL's changes into raw, exactly once, and promoted into each table's current state,
against a real PostgreSQL 15 (a throwaway cluster per module). The oracles: the current state
rebuilt from lake's raw Debezium envelopes (latest change per key in commit-LSN order, deletes
removed, truncates emptying, unchanged TOAST values carried forward), and `lake query "SELECT *
FROM staged.<t>"` after `lake promote <t>`, each equal `SELECT * FROM <t>` in PostgreSQL."""
import base64
import json
import os
import subprocess
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import LAKE, catalog, lake, raw_lines
from test_ducklake import one


def lsn(text):
    high, low = text.split("/")
    return int(high, 16) << 32 | int(low, 16)


def current_state(lines, key):
    """Applies the changes as promotion will: snapshot rows first, then commit-LSN order."""
    state = {}
    ordered = sorted(lines, key=lambda l: (l["value"]["op"] != "r", lsn(l["_meta"]["commit_lsn"]), lsn(l["_meta"]["lsn"])))
    for line in ordered:
        v = line["value"]
        if v["op"] == "t":
            state.clear()
        elif v["op"] == "d":
            state.pop(tuple(v["before"][k] for k in key), None)
        else:
            if v["op"] == "u" and v["before"] and tuple(v["before"].get(k) for k in key) != tuple(v["after"][k] for k in key):
                old = state.pop(tuple(v["before"][k] for k in key), {})
            else:
                old = state.get(tuple(v["after"][k] for k in key), {})
            row = dict(v["after"])
            for column in line["_meta"].get("unchanged", []):
                row[column] = old[column]
            state[tuple(row[k] for k in key)] = row
    return state


def normalize(value, kind):
    if value is None:
        return None
    if kind == "numeric":
        return Decimal(str(value))
    if kind == "timestamptz":
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    if kind == "json" and isinstance(value, str):
        return json.loads(value)
    return value


def staged_state(root, table, key):
    """The table as `lake query` answers from staged, by key, without lake's change columns."""
    rows = json.loads(lake("query", f"SELECT * FROM staged.{table}", "--lake", str(root), "--format", "json").stdout)
    state = {}
    for row in rows:
        assert row.pop("_op") in "cur" and row.pop("_lsn") > 0 and "_commit_time" in row
        row.pop("_commit_time")
        state[tuple(row[k] for k in key)] = row
    return state


def pg_state(pg, table, key, types):
    rows = pg.sql(f"SELECT row_to_json(t)::text FROM {table} t")
    state = {}
    for (text,) in rows:
        row = json.loads(text)
        for column, kind in types.items():
            if kind == "bytea" and row.get(column) is not None:
                row[column] = base64.b64encode(bytes.fromhex(row[column][2:])).decode()
        state[tuple(row[k] for k in key)] = row
    return state


def same(lake_state, pg_rows, types):
    assert lake_state.keys() == pg_rows.keys()
    for k, row in pg_rows.items():
        mine = lake_state[k]
        assert mine.keys() == row.keys(), k
        for column in row:
            kind = types.get(column, "")
            assert normalize(mine[column], kind) == normalize(row[column], kind), (k, column, mine[column], row[column])


def capture(tmp_path, pg, table):
    """A new lake following one table (its slot and publication named after it), first run done."""
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    args = ["ingest", "cdc", pg.url, "--tables", table, "--lake", str(root), "--until-idle", "--slot", table, "--publication", table]
    lake(*args, env=pg.env())
    return root, args


TYPES = {"total": "numeric", "placed_at": "timestamptz", "blob": "bytea", "tags": "json", "scores": "json", "doc": "json"}


def test_a_workload_lands_once_across_two_kills_and_rebuilds_every_table(tmp_path, pg):
    pg.sql("""
        CREATE TYPE mood AS ENUM ('happy', 'sad');
        CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, region text, vip boolean, feeling mood);
        CREATE TABLE orders (id bigint PRIMARY KEY, customer int, total numeric(12,2), placed_at timestamptz, day date,
                             tags text[], scores int[], doc jsonb, blob bytea, ref uuid, small smallint, ratio float8);
        CREATE TABLE events (name text, n int);
        ALTER TABLE events REPLICA IDENTITY FULL;
        INSERT INTO customers SELECT i, 'c' || i, CASE WHEN i % 2 = 0 THEN 'SE' ELSE 'US' END, i % 3 = 0, 'happy' FROM generate_series(1, 40) i;
        INSERT INTO orders SELECT i, i % 40 + 1, i * 1.25, '2026-11-20 10:00:00+00'::timestamptz + i * interval '1 hour', '2026-11-20',
                                  ARRAY['a', 'b "q"', NULL], ARRAY[i, i + 1], jsonb_build_object('k', i, 'nested', jsonb_build_array(1, 'x')),
                                  '\\x00ff10'::bytea, gen_random_uuid(), i % 100, i / 3.0 FROM generate_series(1, 100) i;
        INSERT INTO events VALUES ('boot', 1);
    """)
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    args = ["ingest", "cdc", pg.url, "--tables", "public.customers,public.orders,events", "--lake", str(root),
            "--until-idle", "--batch", "40", "--region-column", "region", "--slot", "work", "--publication", "work"]
    first = lake(*args, env=pg.env())
    assert "created publication work" in first.stdout and "created slot work" in first.stdout
    assert "contract for orders generated" in first.stdout
    # The snapshot promoted first: later promotions apply changes to staged rows.
    lake("promote", "customers", "orders", "events", "--lake", str(root))
    # The workload: inserts, key and non-key updates, deletes, multi-table transactions, a truncate.
    for i in range(30):
        pg.sql(f"""
            BEGIN;
            INSERT INTO orders VALUES ({1000 + i}, {i % 40 + 1}, {i}.5, now(), '2026-11-29', ARRAY['n{i}'], NULL, '{{"i": {i}}}', NULL, NULL, 1, 0.5);
            UPDATE customers SET name = name || '+', vip = NOT coalesce(vip, false) WHERE id = {i % 40 + 1};
            UPDATE orders SET total = total + 1 WHERE id = {i + 1};
            DELETE FROM orders WHERE id = {50 + i};
            INSERT INTO events VALUES ('tick', {i});
            COMMIT;
        """)
    pg.sql("UPDATE customers SET id = id + 100 WHERE id = 7")       # a key update
    pg.sql("UPDATE events SET n = n + 1 WHERE name = 'boot'")         # no key: REPLICA IDENTITY FULL
    pg.sql("TRUNCATE events; INSERT INTO events VALUES ('after', 1)")
    # Killed twice, each time after a commit (a real SIGKILL of lake itself), then run to the end.
    for _ in range(2):
        killed = subprocess.run([LAKE, *args], env={**pg.env(), "LAKE_CRASH_AT": "cdc:committed"}, capture_output=True, text=True)
        assert killed.returncode == -9, killed.stderr
        lake("promote", "customers", "orders", "--lake", str(root))
    last = lake(*args, "--format", "json", env=pg.env())
    report = json.loads(last.stdout)
    assert report["confirmed_lsn"]

    for table, key in (("customers", ["id"]), ("orders", ["id"])):
        lines = raw_lines(root, "postgres", table)
        ids = [(l["_meta"]["commit_lsn"], l["_meta"]["lsn"], l["value"]["op"]) for l in lines if l["value"]["op"] != "r"]
        assert len(ids) == len(set(ids)), f"{table}: a change landed twice"
        same(current_state(lines, key), pg_state(pg, table, key, TYPES), TYPES)
    # The staged current state is PostgreSQL's table, row for row and column for column.
    promoted = json.loads(lake("promote", "customers", "orders", "events", "--lake", str(root), "--format", "json").stdout)
    assert not promoted["failures"]
    for table, key in (("customers", ["id"]), ("orders", ["id"]), ("events", ["name", "n"])):
        same(staged_state(root, table, key), pg_state(pg, table, key, TYPES), TYPES)
    contract = json.loads(lake("catalog", "show", "orders", "--lake", str(root), "--format", "json").stdout)
    assert contract["primary_key"] == ["id"] and contract["owner"] is None
    events = raw_lines(root, "postgres", "events")
    assert [l["value"]["after"] for l in events if l["value"]["op"] == "c" and l["_meta"]["commit_lsn"] == max(e["_meta"]["commit_lsn"] for e in events)] == [{"name": "after", "n": 1}]
    assert any(l["value"]["op"] == "t" for l in events)
    update = next(l for l in events if l["value"]["op"] == "u")
    assert update["value"]["before"] == {"name": "boot", "n": 1} and update["value"]["after"] == {"name": "boot", "n": 2}
    order = next(l for l in raw_lines(root, "postgres", "orders") if l["value"]["op"] == "r")
    after = order["value"]["after"]
    assert after["tags"] == ["a", 'b "q"', None] and after["doc"]["nested"] == [1, "x"] and after["blob"] == "AP8Q"
    assert isinstance(after["small"], int) and isinstance(after["total"], str)
    assert order["value"]["source"]["snapshot"] is True and order["value"]["source"]["table"] == "orders"
    # dt is the commit day; region comes from --region-column.
    assert list(Path(root, "raw", "postgres", "customers").glob("dt=*/region=SE"))
    status = json.loads(lake("cdc", "status", pg.url, "--slot", "work", "--lake", str(root), "--format", "json", env=pg.env()).stdout)
    assert status["exists"] and status["last_landed_commit_lsn"] == status["confirmed_lsn"] or status["lag_bytes"] >= 0
    assert "dropped slot work" in lake("cdc", "drop", pg.url, "--slot", "work", "--publication", "work", "--lake", str(root), env=pg.env()).stdout


@pytest.mark.parametrize("identity", ["default", "full"])
def test_an_untouched_toast_value_survives_an_update(tmp_path, pg, identity):
    table = f"docs_{identity}"
    pg.sql(f"CREATE TABLE {table} (id int PRIMARY KEY, body text, n int)")
    if identity == "full":
        pg.sql(f"ALTER TABLE {table} REPLICA IDENTITY FULL")
    root, args = capture(tmp_path, pg, table)
    # 10 kB that does not compress: stored out of line (TOAST).
    body = os.urandom(5000).hex()
    pg.sql(f"INSERT INTO {table} VALUES (1, '{body}', 0), (2, 'short', 0)")
    lake(*args, env=pg.env())
    lake("promote", table, "--lake", str(root))
    pg.sql(f"UPDATE {table} SET n = 1 WHERE id = 1")
    lake(*args, env=pg.env())
    lines = raw_lines(root, "postgres", table)
    update = next(l for l in lines if l["value"]["op"] == "u")
    if identity == "full":
        assert update["value"]["after"]["body"] == body and "unchanged" not in update["_meta"]
    else:
        assert "body" not in update["value"]["after"] and update["_meta"]["unchanged"] == ["body"]
    assert current_state(lines, ["id"])[(1,)] == {"id": 1, "body": body, "n": 1}
    # Promotion carries the value forward from the staged row.
    lake("promote", table, "--lake", str(root))
    assert staged_state(root, table, ["id"]) == {(1,): {"id": 1, "body": body, "n": 1}, (2,): {"id": 2, "body": "short", "n": 0}}
    lake("cdc", "drop", pg.url, "--slot", table, "--publication", table, "--lake", str(root), env=pg.env())


def test_a_transaction_in_flight_during_the_snapshot_lands_once(tmp_path, pg):
    pg.sql("CREATE TABLE inflight (id int PRIMARY KEY, v text); INSERT INTO inflight VALUES (1, 'before')")
    psql = subprocess.Popen(["/usr/lib/postgresql/15/bin/psql", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "lake", "-d", "postgres",
                             "-X", "-q", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE, text=True, env=pg.env())
    psql.stdin.write("BEGIN; INSERT INTO inflight VALUES (2, 'in flight'); UPDATE inflight SET v = 'touched' WHERE id = 1;\n")
    psql.stdin.flush()
    time.sleep(0.5)
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    args = ["ingest", "cdc", pg.url, "--tables", "inflight", "--lake", str(root), "--until-idle", "--slot", "inflight", "--publication", "inflight"]
    # Creating the slot waits for the open transaction: commit it while lake waits.
    run = subprocess.Popen([LAKE, *args], env=pg.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    psql.stdin.write("COMMIT;\n\\q\n")
    psql.stdin.flush()
    psql.wait(timeout=30)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    pg.sql("INSERT INTO inflight VALUES (3, 'after')")
    lake(*args, env=pg.env())
    lines = raw_lines(root, "postgres", "inflight")
    two = [l for l in lines if (l["value"]["after"] or {}).get("id") == 2]
    assert len(two) == 1, two
    assert current_state(lines, ["id"]) == {(1,): {"id": 1, "v": "touched"}, (2,): {"id": 2, "v": "in flight"}, (3,): {"id": 3, "v": "after"}}
    lake("promote", "inflight", "--lake", str(root))
    assert staged_state(root, "inflight", ["id"]) == current_state(lines, ["id"])
    lake("cdc", "drop", pg.url, "--slot", "inflight", "--publication", "inflight", "--lake", str(root), env=pg.env())


def test_clear_errors_and_no_secret(tmp_path, pg):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    wrong = lake("ingest", "cdc", pg.url, "--tables", "nothing_here", "--lake", str(root), "--until-idle", check=False,
                 env={**os.environ, "PGPASSWORD": "wrong-pw-5512"})
    assert wrong.returncode == 1 and "PGPASSWORD" in wrong.stderr and "wrong-pw-5512" not in wrong.stderr + wrong.stdout
    missing = lake("ingest", "cdc", pg.url, "--tables", "public.nothing_here", "--lake", str(root), "--until-idle", check=False, env=pg.env())
    assert missing.returncode == 1 and "public.nothing_here" in missing.stderr
    in_url = lake("ingest", "cdc", pg.url.replace("lake@", "lake:pw@"), "--tables", "x", "--lake", str(root), check=False, env=pg.env())
    assert in_url.returncode == 1 and "no password in the URL" in in_url.stderr and "pw@" not in in_url.stderr
    # A table named like a dataset with a contract for other records: taken over while the
    # dataset holds no data (the shipped events' plays in a new lake)...
    pg.sql("CREATE TABLE plays (id int PRIMARY KEY, v text); INSERT INTO plays VALUES (1, 'a')")
    fresh = lake("ingest", "cdc", pg.url, "--tables", "plays", "--lake", str(root), "--until-idle", "--slot", "plays",
                 "--publication", "plays", env=pg.env())
    assert "dataset plays had a contract for other records" in fresh.stdout
    lake("promote", "plays", "--lake", str(root))
    assert staged_state(root, "plays", ["id"]) == {(1,): {"id": 1, "v": "a"}}
    lake("cdc", "drop", pg.url, "--slot", "plays", "--publication", "plays", "--lake", str(root), env=pg.env())
    # ...and refused once it holds data, with the way out.
    subprocess.run([LAKE, "produce", "albums_feed", "--lake", str(root)], input=b'{"id": 1}\n', check=True, capture_output=True)
    lake("ingest", "stream", "albums_feed", "--dataset", "albums", "--until-idle", "--lake", str(root))
    contract = tmp_path / "albums.json"
    contract.write_text(json.dumps({"title": "embedded.albums", "type": "object", "properties": {"id": {"type": "integer"}}}))
    lake("catalog", "register", str(contract), "--lake", str(root))
    pg.sql("CREATE TABLE albums (id int PRIMARY KEY, v text); INSERT INTO albums VALUES (7, 'b')")
    taken = lake("ingest", "cdc", pg.url, "--tables", "albums", "--lake", str(root), "--until-idle", "--slot", "albums",
                 "--publication", "albums", check=False, env=pg.env())
    assert taken.returncode == 1 and "already has a contract" in taken.stderr and "--dataset-prefix" in taken.stderr
    lake("ingest", "cdc", pg.url, "--tables", "albums", "--lake", str(root), "--until-idle", "--slot", "albums", "--publication", "albums",
         "--dataset-prefix", "pg_", env=pg.env())
    lake("promote", "pg_albums", "--lake", str(root))
    assert staged_state(root, "pg_albums", ["id"]) == {(7,): {"id": 7, "v": "b"}}
    lake("cdc", "drop", pg.url, "--slot", "albums", "--publication", "albums", "--lake", str(root), env=pg.env())


def test_a_column_added_mid_stream_lands_from_its_first_change(tmp_path, pg):
    pg.sql("CREATE TABLE growing (id int PRIMARY KEY, a text); INSERT INTO growing VALUES (1, 'x')")
    root, args = capture(tmp_path, pg, "growing")
    lake("promote", "growing", "--lake", str(root))
    pg.sql("INSERT INTO growing VALUES (2, 'y')")
    pg.sql("ALTER TABLE growing ADD COLUMN b numeric")
    pg.sql("INSERT INTO growing VALUES (3, 'z', 1.50); UPDATE growing SET b = 2 WHERE id = 1")
    lake(*args, env=pg.env())
    lines = raw_lines(root, "postgres", "growing")
    afters = {(l["value"]["op"], l["value"]["after"]["id"]): l["value"]["after"] for l in lines}
    assert afters[("r", 1)] == {"id": 1, "a": "x"} and afters[("c", 2)] == {"id": 2, "a": "y"}
    assert afters[("c", 3)] == {"id": 3, "a": "z", "b": "1.50"} and afters[("u", 1)] == {"id": 1, "a": "x", "b": "2"}
    # A new contract version with the column; staged rows from before it read null.
    with catalog(root) as db:
        versions = [json.loads(v) for (v,) in db.execute("SELECT schema_json FROM lake_schema_versions WHERE dataset = 'growing' ORDER BY version")]
    assert [list(v["properties"]) for v in versions] == [["id", "a"], ["id", "a", "b"]]
    assert versions[1]["x-lake"]["primary_key"] == ["id"] and versions[1]["required"] == ["id"]
    lake("promote", "growing", "--lake", str(root))
    assert staged_state(root, "growing", ["id"]) == {(1,): {"id": 1, "a": "x", "b": "2"}, (2,): {"id": 2, "a": "y", "b": None},
                                                      (3,): {"id": 3, "a": "z", "b": "1.50"}}
    lake("cdc", "drop", pg.url, "--slot", "growing", "--publication", "growing", "--lake", str(root), env=pg.env())


def test_a_slot_left_behind_is_a_cdc_slot_lag_finding(tmp_path, pg):
    pg.sql("CREATE TABLE behind (id int PRIMARY KEY, pad text)")
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    lake("ingest", "cdc", pg.url, "--tables", "behind", "--lake", str(root), "--until-idle", "--slot", "behind",
         "--publication", "behind", env=pg.env())
    # Changes lake does not read: the slot holds their WAL.
    pg.sql("INSERT INTO behind SELECT i, repeat('x', 500) FROM generate_series(1, 4000) i")
    report = json.loads(lake("governance", "--lake", str(root), "--format", "json", "--cdc-slot-warn-bytes", "100000",
                             "--cdc-slot-error-bytes", "100000000000", env=pg.env()).stdout)
    lag = [f for f in report["findings"] if f["rule"] == "cdc-slot-lag"]
    assert len(lag) == 1 and lag[0]["severity"] == "warning" and "slot behind" in lag[0]["message"], lag
    # Caught up, nothing to report; a strict run fails on an error threshold that is passed.
    lake("ingest", "cdc", pg.url, "--tables", "behind", "--lake", str(root), "--until-idle", "--slot", "behind",
         "--publication", "behind", env=pg.env())
    pg.sql("INSERT INTO behind SELECT i, repeat('y', 500) FROM generate_series(5000, 9000) i")
    strict = lake("governance", "--lake", str(root), "--strict", "--cdc-slot-warn-bytes", "1000", "--cdc-slot-error-bytes", "100000",
                  check=False, env=pg.env())
    assert strict.returncode == 3 and "cdc-slot-lag" in strict.stdout
    # Without the password, governance says it could not ask, and never fails on it.
    unreachable = json.loads(lake("governance", "--lake", str(root), "--format", "json",
                                  env={k: v for k, v in pg.env().items() if k != "PGPASSWORD"}).stdout)
    assert any(f["rule"] == "cdc-slot-lag" and "could not be asked" in f["message"] for f in unreachable["findings"])
    lake("cdc", "drop", pg.url, "--slot", "behind", "--publication", "behind", "--lake", str(root), env=pg.env())
    after = json.loads(lake("governance", "--lake", str(root), "--format", "json", env=pg.env()).stdout)
    assert not [f for f in after["findings"] if f["rule"] == "cdc-slot-lag"]


def test_duckdb_reads_the_current_state_and_its_changes(tmp_path, pg):
    pg.sql("CREATE TABLE feed (id int PRIMARY KEY, name text, score float8); "
           "INSERT INTO feed SELECT i, 'n' || i, i / 4.0 FROM generate_series(1, 6) i")
    root, args = capture(tmp_path, pg, "feed")
    lake("promote", "feed", "--history", "--lake", str(root))
    pg.sql("UPDATE feed SET name = 'renamed' WHERE id = 2; DELETE FROM feed WHERE id = 3; INSERT INTO feed VALUES (7, 'n7', 1.75)")
    lake(*args, env=pg.env())
    report, history = json.loads(lake("promote", "feed", "--history", "--lake", str(root), "--format", "json").stdout)["promotions"]
    assert report["records"] == 3 and any("1 deleted" in n for n in report["notes"])
    # --history: every version of every row (SCD type 2), the current ones flagged.
    assert history["dataset"] == "feed_history" and history["total_rows"] == 8
    versions = json.loads(lake("query", "SELECT id, name, valid_from IS NOT NULL AS has_from, valid_to IS NULL AS open, is_current "
                               "FROM staged.feed_history WHERE id IN (2, 3, 7) ORDER BY id, valid_from",
                               "--lake", str(root), "--format", "json").stdout)
    assert [list(v.values()) for v in versions] == [[2, "n2", True, False, False], [2, "renamed", True, True, True],
                                                    [3, "n3", True, False, False], [7, "n7", True, True, True]]
    assert one(root, "SELECT id, name, score FROM staged.feed ORDER BY id") == [
        [1, "n1", 0.25], [2, "renamed", 0.5], [4, "n4", 1.0], [5, "n5", 1.25], [6, "n6", 1.5], [7, "n7", 1.75]]
    last = one(root, "SELECT max(snapshot_id) FROM snapshots() WHERE commit_message = 'lake promote: staged.feed v2'")[0][0]
    changes = one(root, f"SELECT change_type, id, name FROM ducklake_table_changes('lake', 'staged', 'feed', {last}, {last})")
    gone = {(i, n) for t, i, n in changes if t in ("delete", "update_preimage")}
    came = {(i, n) for t, i, n in changes if t in ("insert", "update_postimage")}
    assert (3, "n3") in gone and 3 not in {i for i, _ in came}
    assert (2, "n2") in gone and (2, "renamed") in came and (7, "n7") in came
    # Net of rows a rewrite carried over unchanged, the change feed is exactly the three changes.
    assert gone - came == {(2, "n2"), (3, "n3")} and came - gone == {(2, "renamed"), (7, "n7")}
    lake("cdc", "drop", pg.url, "--slot", "feed", "--publication", "feed", "--lake", str(root), env=pg.env())
