"""Several lake processes on one lake: the same ingestion takes turns through a lock and
says what it waits for; readers are never blocked."""
import subprocess
import time

from conftest import LAKE, catalog, lake, raw_pages


def test_a_second_run_of_the_same_ingestion_waits_and_says_for_whom(tmp_path, simulator_factory):
    sim = simulator_factory("--scale", "0.5", "--faults", "slow=0.8")
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    args = [LAKE, "ingest", "spotify", "--lake", str(root), "--markets", "SE,US", "--quiet", *sim.spotify_args()]
    first = subprocess.Popen(args, env=sim.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lock = root / "_tmp" / "ingest-spotify.lock"
    deadline = time.time() + 30
    while not (lock.exists() and lock.read_text().startswith(f"pid {first.pid} ")) and time.time() < deadline:
        time.sleep(0.01)
    assert first.poll() is None, "the first run ended before the second could start"
    second = subprocess.Popen(args, env=sim.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # Readers work while both run.
    while first.poll() is None:
        assert lake("catalog", "list", "--lake", str(root)).returncode == 0
        time.sleep(0.2)
    assert first.wait() == 0
    assert second.wait(timeout=120) == 0
    waited = second.stderr.read()
    assert "waiting for the spotify ingestion lock, held by pid" in waited and "lake ingest spotify" in waited
    # Each run is a whole ingestion of its own: two complete snapshots, nothing mixed.
    db = catalog(root)
    assert db.execute("SELECT status FROM lake_ingestions ORDER BY id").fetchall() == [("complete",), ("complete",)]
    pages = raw_pages(root)
    assert len(pages) == 2 * len(set(pages))
