"""Raw files lake did not write: exports where each line is the record itself (Kafka Connect's
S3 sink, Firehose, DuckDB's COPY … (FORMAT json), Python's gzip + json) are adopted into the
raw zone and promoted like lake's own lines; their provenance columns are null."""
import gzip
import json

import duckdb
import pyarrow.parquet as pq

from conftest import lake

CONTRACT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "exports.orders",
    "type": "object",
    "properties": {
        "order_id": {"type": "string"},
        "amount": {"type": "number"},
        "placed_at": {"type": "string", "format": "date-time"},
        "value": {"type": ["integer", "null"]},
    },
    "required": ["order_id"],
    "x-lake": {"zone": "staged", "owner": "finance", "retention_days": 3650, "partition_by": ["dt", "region"],
               "primary_key": ["order_id"], "description": "Orders exported by the shop."},
}


def orders(first, count):
    return [{"order_id": f"o-{i:05d}", "amount": round(i * 1.25, 2), "placed_at": f"2026-11-0{1 + i % 5}T10:00:00Z",
             "value": i} for i in range(first, first + count)]


def write_exports(root, dt, region):
    folder = root / "raw" / "exports" / "orders" / f"dt={dt}" / f"region={region}"
    folder.mkdir(parents=True)
    con = duckdb.connect()
    con.execute("CREATE TABLE o AS SELECT * FROM read_json_auto(?)", [str(write_plain(folder.parent.parent / "seed.json", orders(0, 40)))])
    # DuckDB's own export: one JSON object per line, plain and gzip-compressed.
    con.execute(f"COPY (SELECT * FROM o WHERE value < 20) TO '{folder}/duckdb.ndjson' (FORMAT json)")
    con.execute(f"COPY (SELECT * FROM o WHERE value >= 20) TO '{folder}/duckdb.ndjson.gz' (FORMAT json, COMPRESSION gzip)")
    (folder.parent.parent / "seed.json").unlink()
    # Python's gzip + json, as a hand-written export would be.
    with gzip.open(folder / "python.ndjson.gz", "wt", encoding="utf-8") as f:
        for o in orders(40, 25):
            f.write(json.dumps(o) + "\n")
    return folder


def write_plain(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_adopted_exports_promote_with_null_provenance(tmp_path):
    root = tmp_path / "lake"
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "orders.json").write_text(json.dumps(CONTRACT))
    lake("init", "--lake", str(root), "--schemas", str(schemas))
    folder = write_exports(root, "2026-11-01", "SE")
    lake("catalog", "adopt", str(folder), "--dataset", "orders", "--lake", str(root))
    out = json.loads(lake("promote", "orders", "--lake", str(root), "--format", "json").stdout)
    report = out["promotions"][0]
    assert report["records"] == 65 and report["staged"] == 65 and report["quarantined"] == 0, report

    table = pq.read_table(str(root / "staged" / "orders")).to_pylist()
    assert sorted(r["order_id"] for r in table) == [f"o-{i:05d}" for i in range(65)]
    by_id = {r["order_id"]: r for r in table}
    assert by_id["o-00007"]["amount"] == 8.75 and by_id["o-00007"]["value"] == 7
    assert all(r["_raw_file"].startswith("raw/exports/orders/dt=2026-11-01/region=SE/") for r in table)
    assert all(r["_raw_line"] >= 1 for r in table)
    for column in ("_page", "_fetched_at", "_position"):
        assert all(r[column] is None for r in table), column
    got = lake("query", "SELECT region, count(*) AS n, sum(amount) AS total FROM staged.orders GROUP BY region",
               "--lake", str(root), "--format", "json").stdout
    assert json.loads(got) == [{"region": "SE", "n": 65, "total": sum(o["amount"] for o in orders(0, 65))}]


def test_raw_format_records_reads_every_line_as_a_record_even_with_meta_or_value_fields(tmp_path):
    root = tmp_path / "lake"
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    contract = json.loads(json.dumps(CONTRACT))
    contract["properties"]["_meta"] = {"type": ["object", "null"]}
    contract["x-lake"]["raw_format"] = "records"
    (schemas / "orders.json").write_text(json.dumps(contract))
    lake("init", "--lake", str(root), "--schemas", str(schemas))
    folder = root / "raw" / "exports" / "orders" / "dt=2026-11-02" / "region=US"
    folder.mkdir(parents=True)
    with gzip.open(folder / "firehose.ndjson.gz", "wt") as f:
        for o in orders(0, 10):
            f.write(json.dumps({**o, "_meta": {"shard": 1}}) + "\n")
    lake("catalog", "adopt", str(folder), "--dataset", "orders", "--lake", str(root))
    report = json.loads(lake("promote", "orders", "--lake", str(root), "--format", "json").stdout)["promotions"][0]
    assert report["staged"] == 10 and report["quarantined"] == 0
    rows = pq.read_table(str(root / "staged" / "orders")).to_pylist()
    assert sorted(r["value"] for r in rows) == list(range(10))
    assert all(json.loads(r["_meta"]) == {"shard": 1} for r in rows)
