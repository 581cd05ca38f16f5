"""DuckDB 1.5 with the ducklake and sqlite extensions, loaded from their PyPI wheels' files (no
network): attaches a lake's catalog.sqlite as a DuckLake and runs SQL given as JSON on stdin.

    {"catalog": "<root>/catalog.sqlite", "read_only": true, "statements": ["SELECT …", …]}

Prints one JSON list: per statement, its rows (lists), or {"error": "…"}. Run it with the
.venv-ducklake interpreter that scripts/setup makes (the test venv's DuckDB is newer)."""
import json
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
import duckdb_extension_ducklake
import duckdb_extension_sqlite


def extension_file(package, name):
    version = "v" + duckdb.__version__
    found = list(Path(package.__file__).parent.glob(f"extensions/{version}/*.duckdb_extension"))
    if not found:
        sys.exit(f"ducklake_client: no {name} extension for DuckDB {version} in {package.__file__}")
    return found[0]


def connect():
    con = duckdb.connect(config={"allow_unsigned_extensions": "true", "autoinstall_known_extensions": "false",
                                 "autoload_known_extensions": "false"})
    con.execute(f"LOAD '{extension_file(duckdb_extension_ducklake, 'ducklake')}'")
    # DuckDB finds an extension's entry point by its file name: the sqlite wheel ships
    # sqlite.duckdb_extension, whose entry point is sqlite_scanner's.
    scanner = Path(tempfile.mkdtemp()) / "sqlite_scanner.duckdb_extension"
    shutil.copy(extension_file(duckdb_extension_sqlite, "sqlite"), scanner)
    con.execute(f"LOAD '{scanner}'")
    return con


def plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def main():
    request = json.load(sys.stdin)
    con = connect()
    options = " (READ_ONLY)" if request.get("read_only", True) else ""
    con.execute(f"ATTACH 'ducklake:sqlite:{request['catalog']}' AS lake{options}")
    con.execute("USE lake")
    results = []
    for sql in request["statements"]:
        try:
            rows = con.execute(sql).fetchall()
            results.append([[plain(v) for v in row] for row in rows])
        except duckdb.Error as e:
            results.append({"error": str(e)})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
