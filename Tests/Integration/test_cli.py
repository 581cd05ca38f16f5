"""The command line's contract: exit statuses, one-line errors, JSON on stdout."""
import json

from conftest import REPO, lake


def test_bad_usage_exits_2_with_the_reason(tmp_path):
    result = lake("ingest", "spotify", "--lake", str(tmp_path), "--markets", "SWE", check=False)
    assert result.returncode == 2
    assert "ISO 3166-1 alpha-2" in result.stderr
    assert lake("frobnicate", check=False).returncode == 2


def test_help_exits_0_and_names_the_commands():
    result = lake("--help")
    for command in ("init", "ingest", "catalog", "demo"):
        assert command in result.stdout


def test_a_missing_lake_is_one_line_saying_what_to_do(tmp_path):
    result = lake("catalog", "list", "--lake", str(tmp_path / "none"), check=False)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "lake init" in result.stderr and str(tmp_path / "none") in result.stderr


def test_init_registers_the_contracts_and_reports_json(tmp_path):
    root = tmp_path / "lake"
    first = json.loads(lake("init", "--lake", str(root), "--format", "json").stdout)
    assert first["created"] and first["migrations"] == ["v1-datasets-files-checkpoints-runs", "v2-stream-offsets", "v3-versions-lineage-drift", "v4-audit", "v5-ducklake", "v6-stream-gaps-landed-messages", "v7-pending-uploads"]
    assert sorted(c["dataset"] for c in first["contracts"]) == [
        "album_tracks", "artists", "categories", "featured_playlists", "listener_activity_daily", "my_playlists",
        "new_albums", "new_albums_by_region", "new_releases", "playlist_items", "playlist_presence", "playlist_tracks",
        "plays", "recently_played", "search_tracks", "track_plays_daily"]
    assert not json.loads(lake("init", "--lake", str(root), "--format", "json").stdout)["created"]
    datasets = json.loads(lake("catalog", "list", "--lake", str(root), "--format", "json").stdout)
    assert all(d["owner"] == "marketing-analytics" and d["schema_version"] == 1 for d in datasets)
    shown = json.loads(lake("catalog", "show", "spotify.playlist_tracks", "--lake", str(root), "--format", "json").stdout)
    assert shown["pii"] == ["added_by"] and shown["schema_versions"][0]["schema"]["title"] == "spotify.playlist_tracks"


def test_lake_home_is_the_default_root(tmp_path):
    import os
    env = {**os.environ, "LAKE_HOME": str(tmp_path / "home")}
    lake("init", env=env)
    assert (tmp_path / "home" / "catalog.sqlite").exists()


def test_an_invalid_contract_names_the_file_and_the_problem(tmp_path):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    bad = tmp_path / "bad.json"
    bad.write_text('{"title": "spotify.x", "x-lake": {"retention_days": "a year"}}')
    result = lake("catalog", "register", str(bad), "--lake", str(root), check=False)
    assert result.returncode == 1
    assert str(bad) in result.stderr and "retention_days" in result.stderr


def test_a_new_contract_version_is_kept_beside_the_old(tmp_path):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    contract = json.loads((REPO / "schemas" / "spotify" / "categories.json").read_text())
    contract["x-lake"]["retention_days"] = 90
    changed = tmp_path / "categories.json"
    changed.write_text(json.dumps(contract))
    out = json.loads(lake("catalog", "register", str(changed), "--lake", str(root), "--format", "json").stdout)
    assert out == [{"dataset": "categories", "version": 2, "outcome": "new version", "file": str(changed)}]
    shown = json.loads(lake("catalog", "show", "categories", "--lake", str(root), "--format", "json").stdout)
    assert [v["version"] for v in shown["schema_versions"]] == [1, 2] and shown["retention_days"] == 90


def test_unknown_dataset_suggests_the_closest(tmp_path):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    result = lake("catalog", "show", "playlist_track", "--lake", str(root), check=False)
    assert result.returncode == 1 and "did you mean 'playlist_tracks'" in result.stderr


def test_missing_credentials_name_the_variable(tmp_path, simulator):
    import os
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTIFY_")}
    result = lake("ingest", "spotify", "--lake", str(root), "--markets", "SE", *simulator.spotify_args(),
                  env=env, check=False)
    assert result.returncode == 1 and "SPOTIFY_CLIENT_ID" in result.stderr


def test_ingest_json_output_is_json_only(tmp_path, simulator):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    result = lake("ingest", "spotify", "--lake", str(root), "--markets", "SE", "--format", "json",
                  *simulator.spotify_args(), env=simulator.env())
    report = json.loads(result.stdout)
    assert report["complete"] and report["totals"]["files"] > 0
    assert {row["region"] for row in report["landed"]} == {"SE"}


def test_the_lake_root_may_come_before_the_command(tmp_path):
    root = tmp_path / "lake"
    lake("--lake", str(root), "init")
    assert (root / "catalog.sqlite").exists()
    listed = json.loads(lake("--lake", str(root), "catalog", "list", "--format", "json").stdout)
    assert {d["name"] for d in listed} >= {"plays", "new_albums"}
    assert json.loads(lake(f"--lake={root}", "query", "SELECT 1 AS one", "--format", "json").stdout) == [{"one": 1}]
    # After the command it still wins, as it always did.
    other = tmp_path / "other"
    lake("--lake", str(root), "init", "--lake", str(other))
    assert (other / "catalog.sqlite").exists()
