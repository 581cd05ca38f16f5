"""DuckDB 1.5 with the ducklake and sqlite extensions, loaded from their PyPI wheels' files (no
network): attaches a lake's catalog.sqlite as a DuckLake and runs SQL given as JSON on stdin.

    {"catalog": "<root>/catalog.sqlite", "read_only": true, "statements": ["SELECT …", …]}

Prints one JSON list: per statement, its rows (lists), or {"error": "…"}. Run it with the
.venv-ducklake interpreter that scripts/setup makes (the test venv's DuckDB is newer)."""
import json
import os
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


def renamed_extension(package, name, entry_point):
    """The wheel's extension file under the name DuckDB takes its entry point from. One copy per
    DuckDB version, shared by every connection: a copy per connection left some 300 files of
    34 MB in the temp folder per test run, and filled the disk of a CI machine."""
    folder = Path(tempfile.gettempdir()) / f"lake-duckdb-extensions-v{duckdb.__version__}"
    target = folder / f"{entry_point}.duckdb_extension"
    if not target.exists():
        folder.mkdir(exist_ok=True)
        partial = folder / f".{entry_point}.{os.getpid()}"
        shutil.copy(extension_file(package, name), partial)
        os.replace(partial, target)  # atomic: concurrent test processes never load half a file
    return target


def connect():
    con = duckdb.connect(config={"allow_unsigned_extensions": "true", "autoinstall_known_extensions": "false",
                                 "autoload_known_extensions": "false"})
    con.execute(f"LOAD '{extension_file(duckdb_extension_ducklake, 'ducklake')}'")
    # DuckDB finds an extension's entry point by its file name: the sqlite wheel ships
    # sqlite.duckdb_extension, whose entry point is sqlite_scanner's.
    con.execute(f"LOAD '{renamed_extension(duckdb_extension_sqlite, 'sqlite', 'sqlite_scanner')}'")
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
