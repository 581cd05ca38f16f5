"""`lake ingest spotify` as a user with a new app meets it: Development Mode by default,
a clear one-line answer where Spotify removed an endpoint, a user's sign-in with
`lake auth spotify`, long Retry-After waits, and a demo whose governance report is clean."""
import json
import os
import stat
import subprocess
import time
import urllib.request
from pathlib import Path

from conftest import LAKE, lake


def stats(sim):
    with urllib.request.urlopen(f"{sim.url}/_simulator/stats") as r:
        return json.load(r)


def test_extended_mode_on_a_development_mode_app_stops_each_removed_endpoint_after_one_answer(tmp_path, simulator_factory):
    sim = simulator_factory("--scale", "0.3", "--app-mode", "development")
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    result = lake("ingest", "spotify", "--app-mode", "extended", "--markets", "SE,US,GB,DE,BR,JP,MX,IN",
                  "--lake", str(root), *sim.spotify_args(), env=sim.env(), check=False)
    assert result.returncode == 1
    served = stats(sim)
    for endpoint in ("new_releases", "featured_playlists", "categories"):
        assert served[f"endpoint:{endpoint}"] == 1, endpoint
    assert served.get("endpoint:playlist_items", 0) == 0, "no parent, no child requests"
    reason = result.stderr.splitlines()[-1]
    assert reason.startswith("Ingest error: "), "the reason is one line, after the progress lines"
    assert "removed GET /browse/new-releases for Development Mode apps" in reason
    assert "11 Feb 2026" in reason and "--app-mode development" in reason
    assert "27 Nov 2024" in result.stdout and "/browse/categories" in result.stdout


def test_a_new_app_lands_new_albums_and_their_tracks_by_default(tmp_path, simulator_factory):
    sim = simulator_factory("--scale", "0.3")
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    report = json.loads(lake("ingest", "spotify", "--markets", "SE,US", "--format", "json", "--lake", str(root),
                             *sim.spotify_args(), env=sim.env()).stdout)
    assert report["complete"]
    assert {row["dataset"] for row in report["landed"]} == {"new_albums", "album_tracks"}
    assert {row["folder"] for row in report["landed"]} >= {"raw/spotify/new_albums/dt=*/region=SE/",
                                                          "raw/spotify/album_tracks/dt=*/region=US/"}
    served = stats(sim)
    assert served["search.max_limit"] <= 10 and served["search.max_end"] <= 1000


def test_lake_auth_spotify_signs_in_with_pkce_then_user_datasets_land_and_a_revoked_sign_in_says_what_to_do(tmp_path, simulator_factory):
    sim = simulator_factory("--scale", "0.3")
    env = {**sim.env(), "LAKE_TOKEN_DIR": str(tmp_path / "tokens")}
    auth = subprocess.Popen([LAKE, "auth", "spotify", "--token-url", sim.info["token_url"], "--no-browser", "--timeout", "30"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = None
    deadline = time.time() + 20
    while url is None and time.time() < deadline:
        line = auth.stderr.readline()
        if "/authorize?" in line:
            url = line.strip()
    assert url and "code_challenge_method=S256" in url and "redirect_uri=http://127.0.0.1:" in url
    # The "browser": Spotify approves and redirects to lake's loopback listener.
    with urllib.request.urlopen(url) as r:
        assert "Signed in" in r.read().decode()
    out, _ = auth.communicate(timeout=20)
    assert auth.returncode == 0, out
    token_file = tmp_path / "tokens" / "spotify.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert "Signed in" in out and str(token_file) in out

    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    args = ["ingest", "spotify", "--markets", "SE", "--datasets", "my_playlists,playlist_items,recently_played",
            "--lake", str(root), *sim.spotify_args()]
    report = json.loads(lake(*args, "--format", "json", env=env).stdout)
    assert report["complete"] and {r["dataset"] for r in report["landed"]} == {"my_playlists", "playlist_items", "recently_played"}
    assert any("403" in s for s in report["skipped"]) and any("404" in s for s in report["skipped"])
    refresh = json.loads(token_file.read_text())["refresh_token"]
    written = b"".join(p.read_bytes() for p in Path(root).rglob("*") if p.is_file())
    assert refresh.encode() not in written

    urllib.request.urlopen(urllib.request.Request(f"{sim.url}/_simulator/revoke", method="POST"))
    revoked = lake(*args, env=env, check=False)
    assert revoked.returncode == 1
    assert "revoked" in revoked.stderr and "lake auth spotify" in revoked.stderr
    assert refresh not in revoked.stderr + revoked.stdout


def test_user_datasets_without_a_sign_in_say_to_run_lake_auth(tmp_path, simulator_factory):
    sim = simulator_factory("--scale", "0.1")
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    result = lake("ingest", "spotify", "--markets", "SE", "--datasets", "recently_played", "--lake", str(root),
                  *sim.spotify_args(), env={**sim.env(), "LAKE_TOKEN_DIR": str(tmp_path / "none")}, check=False)
    assert result.returncode == 1 and "run `lake auth spotify` first" in result.stderr


def test_a_retry_after_beyond_the_limit_commits_what_landed_and_says_when_to_resume(tmp_path, simulator_factory):
    sim = simulator_factory("--scale", "0.3", "--faults", "long-429=0.1,retry-after=7200")
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    result = lake("ingest", "spotify", "--markets", "SE,US,GB", "--max-retry-after", "60", "--lake", str(root),
                  *sim.spotify_args(), env=sim.env(), check=False)
    assert result.returncode == 1
    assert "Retry-After 7200 s" in result.stderr and "run the same command again after" in result.stderr
    resumed = lake("ingest", "spotify", "--markets", "SE,US,GB", "--max-retry-after", "60", "--lake", str(root),
                   *sim.spotify_args(), env=sim.env(), check=False)
    assert "resuming ingestion #1" in resumed.stderr


def test_the_demo_runs_in_development_mode_and_its_governance_report_has_no_finding(tmp_path):
    root = tmp_path / "lake"
    out = json.loads(lake("demo", "--lake", str(root), "--format", "json", "--events", "20000").stdout)
    assert {row["dataset"] for row in out["api"]["landed"]} == {"new_albums", "album_tracks"}
    assert out["top_tracks_by_region"] and out["new_albums_by_region"]
    assert {"region", "albums", "tracks", "rank", "artist", "new_albums", "latest_release"} == set(out["new_albums_by_region"][0])
    report = lake("governance", "--lake", str(root), "--format", "json", "--strict", check=False)
    assert report.returncode == 0, report.stdout
    assert json.loads(report.stdout)["findings"] == []
