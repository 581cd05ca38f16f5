"""The binary's copies of schemas/ (Sources/lake/BuiltinSchemas.swift, written by
scripts/gen-builtins) match the files, and `lake demo` away from the repository uses them."""
import json
import re

from conftest import REPO, lake


def test_the_builtin_copies_match_schemas():
    source = (REPO / "Sources" / "lake" / "BuiltinSchemas.swift").read_text()
    embedded = dict(re.findall(r'\("([^"]+)", #"""\n(.*?)\n"""#\)', source, re.S))
    files = {str(p.relative_to(REPO / "schemas")): p.read_text().rstrip("\n")
             for p in (REPO / "schemas").rglob("*") if p.is_file() and p.suffix in (".json", ".sql")}
    assert embedded == files, "run scripts/gen-builtins after editing schemas/"


def test_demo_away_from_the_repository_registers_the_shipped_contracts_and_answers(tmp_path):
    out = json.loads(lake("demo", "--lake", str(tmp_path / "lake"), "--format", "json", "--scale", "0.3", cwd=tmp_path).stdout)
    assert out["top_tracks_by_region"] and {c["dataset"] for c in out["curate"]} == {"track_plays_daily", "new_albums_by_region", "listener_activity_daily"}
    assert not (tmp_path / "schemas").exists()
