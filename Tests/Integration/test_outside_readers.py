"""DuckDB reads every raw file lake writes, sees dt and region as columns, and counts
what the catalog counts."""
import duckdb

from conftest import catalog, lake


def test_duckdb_reads_every_raw_file_with_hive_partitions(tmp_path, simulator):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    lake("ingest", "spotify", "--lake", str(root), "--markets", "SE,US,JP,BR", "--quiet",
         *simulator.spotify_args(), env=simulator.env())

    con = duckdb.connect()
    glob = f"{root}/raw/spotify/**/*.ndjson.gz"
    rows, regions, records = con.execute(
        f"SELECT count(*), count(DISTINCT region), sum(_meta.records) "
        f"FROM read_json('{glob}', hive_partitioning=true)").fetchone()
    columns = {name: kind for name, kind, *_ in con.execute(
        f"DESCRIBE SELECT * FROM read_json('{glob}', hive_partitioning=true)").fetchall()}
    assert columns["dt"] == "DATE" and columns["region"] == "VARCHAR"
    assert {"_meta", "body"} <= columns.keys()

    db = catalog(root)
    cat_rows, cat_records = db.execute("SELECT sum(rows), sum(records) FROM lake_files WHERE zone = 'raw'").fetchone()
    assert rows == cat_rows and records == cat_records and regions == 4

    by_partition = dict(((d, r), n) for d, r, n in con.execute(
        f"SELECT _meta.dataset, region, count(*) FROM read_json('{glob}', hive_partitioning=true) GROUP BY ALL").fetchall())
    cataloged = dict(((d, r), n) for d, r, n in db.execute(
        "SELECT dataset, region, sum(rows) FROM lake_files GROUP BY dataset, region").fetchall())
    assert by_partition == cataloged


def test_records_match_the_simulators_own_totals(tmp_path, simulator):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    lake("ingest", "spotify", "--lake", str(root), "--markets", "SE,DE", "--quiet",
         *simulator.spotify_args(), env=simulator.env())
    totals = simulator.totals(["SE", "DE"])
    con = duckdb.connect()
    for dataset, path in [("new_albums", "body.albums.items"), ("album_tracks", "body.items")]:
        got = dict(con.execute(
            f"SELECT region, sum(len({path})) FROM read_json('{root}/raw/spotify/{dataset}/**/*.ndjson.gz', "
            f"hive_partitioning=true) GROUP BY ALL").fetchall())
        assert got == {m: totals[m][dataset] for m in ("SE", "DE")}, dataset
