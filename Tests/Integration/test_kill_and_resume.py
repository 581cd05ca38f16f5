"""A run killed with SIGKILL part-way, then run again, leaves exactly what one clean run
leaves: every page once, nothing half-visible."""
import os
import signal
import subprocess
import time
from pathlib import Path

from conftest import LAKE, catalog, committed_files, describe_difference, lake, raw_pages

MARKETS = "SE,US,GB,DE,BR"


def start_ingest(root, sim):
    return subprocess.Popen(
        [LAKE, "ingest", "spotify", "--lake", str(root), "--markets", MARKETS, "--concurrency", "3",
         "--max-file-records", "2", "--quiet", *sim.spotify_args()],
        env=sim.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_sigkill_part_way_then_resume_lands_every_page_exactly_once(tmp_path, simulator_factory):
    # Slow answers stretch the run so the kills land part-way.
    sim = simulator_factory("--scale", "0.5", "--faults", "slow=0.5,429=0.05,5xx=0.05")
    killed = tmp_path / "killed"
    lake("init", "--lake", str(killed))
    for kill_after in (3, 12):
        proc = start_ingest(killed, sim)
        deadline = time.time() + 60
        while committed_files(killed) < kill_after and proc.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the ingestion finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    status = catalog(killed).execute("SELECT status FROM lake_ingestions").fetchall()
    assert status == [("running",)]

    resumed = lake("ingest", "spotify", "--lake", str(killed), "--markets", MARKETS, "--max-file-records", "2",
                   *sim.spotify_args(), env=sim.env())
    assert "Resumed ingestion #1" in resumed.stdout
    assert "resuming ingestion #1" in resumed.stderr

    clean = tmp_path / "clean"
    lake("init", "--lake", str(clean))
    lake("ingest", "spotify", "--lake", str(clean), "--markets", MARKETS, "--quiet", *sim.spotify_args(), env=sim.env())

    killed_pages, clean_pages = raw_pages(killed), raw_pages(clean)
    assert killed_pages == clean_pages, describe_difference(killed_pages, clean_pages)
    assert not list(Path(killed, "_tmp", "ingest-spotify").rglob("*.gz"))
    db = catalog(killed)
    assert db.execute("SELECT status FROM lake_ingestions").fetchall() == [("complete",)]
    on_disk = sorted(str(p.relative_to(killed)) for p in Path(killed, "raw").rglob("*.ndjson.gz"))
    assert on_disk == [p for (p,) in db.execute("SELECT path FROM lake_files ORDER BY path")]
    outcomes = [o for (o,) in db.execute("SELECT outcome FROM lake_runs ORDER BY id")]
    assert outcomes == ["running", "running", "succeeded"]
