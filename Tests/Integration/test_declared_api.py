"""`lake ingest api` against API styles written from their public documentation: Stripe's
`starting_after` cursor and pages that start with a byte-order mark, served by
`lake simulator paged-api`; and declarations that are wrong, refused when loaded."""
import gzip
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import LAKE, catalog, committed_files, lake


@pytest.fixture
def paged_api():
    started = []

    def start(*args):
        proc = subprocess.Popen([LAKE, "simulator", "paged-api", *args], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        started.append(proc)
        return json.loads(proc.stdout.readline())["url"]

    yield start
    for proc in started:
        proc.terminate()
        proc.wait(timeout=5)


def stripe_declaration(tmp_path, url, style="stripe", limit=20):
    path = tmp_path / f"{style}.json"
    path.write_text(json.dumps({
        "source": "billing", "base_url": url,
        "resources": [{"dataset": "customers", "path": f"{style}/items", "records": "data",
                       "params": {"limit": limit},
                       "paginator": {"type": "cursor", "cursor": "data[-1].id", "cursor_param": "starting_after",
                                     "has_more": "has_more"}}]}))
    return path


def landed_ids(root):
    ids = []
    for path in sorted(Path(root, "raw").rglob("*.ndjson.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                ids += [r["id"] for r in json.loads(line)["body"]["data"]]
    return ids


def test_stripe_cursor_killed_twice_then_resumed_lands_every_record_once(tmp_path, paged_api):
    url = paged_api("--count", "750", "--faults", "slow=0.5,429=0.05,5xx=0.05,truncate=0.05")
    declaration = stripe_declaration(tmp_path, url)
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    args = [LAKE, "ingest", "api", str(declaration), "--lake", str(root), "--max-file-records", "1", "--quiet",
            "--backoff-base", "0.01"]
    for kill_after in (3, 12):
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while committed_files(root) < kill_after and proc.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the ingestion finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert committed_files(root) >= 12, "work was committed before the kills"
    assert catalog(root).execute("SELECT status FROM lake_ingestions").fetchall() == [("running",)]
    resumed = lake("ingest", "api", str(declaration), "--lake", str(root), "--backoff-base", "0.01")
    assert "Resumed ingestion #1" in resumed.stdout and "complete." in resumed.stdout
    ids = landed_ids(root)
    assert len(ids) == 750 and len(set(ids)) == 750
    assert sorted(ids) == sorted(f"item_{i}" for i in range(750))


def test_a_cursor_missing_while_has_more_is_true_fails_the_run(tmp_path, paged_api):
    url = paged_api("--count", "200")
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    result = lake("ingest", "api", str(stripe_declaration(tmp_path, url, style="stripe-broken", limit=10)),
                  "--lake", str(root), check=False)
    assert result.returncode == 1
    assert '"has_more" is true but there is no cursor at "data[-1].id"' in result.stderr
    assert "incomplete" in result.stdout
    assert len(landed_ids(root)) == 20, "the pages before the broken one are committed"


@pytest.mark.parametrize("pretty", ["0", "1"])
def test_pages_with_a_byte_order_mark_land_without_it(tmp_path, paged_api, pretty):
    url = paged_api("--count", "130")
    path = tmp_path / "bom.json"
    path.write_text(json.dumps({
        "source": "catalog", "base_url": url,
        "resources": [{"dataset": "products", "path": "bom/items", "records": "items", "params": {"pretty": pretty},
                       "paginator": {"type": "page_number", "start": 0, "page_size_param": "size", "page_size": 40,
                                     "total_pages": "pages"}}]}))
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    lake("ingest", "api", str(path), "--lake", str(root))
    ids = []
    for f in Path(root, "raw").rglob("*.ndjson.gz"):
        raw = gzip.open(f).read()
        assert b"\xef\xbb\xbf" not in raw
        ids += [r["id"] for line in raw.splitlines() for r in json.loads(line)["body"]["items"]]
    assert sorted(ids) == list(range(130))


@pytest.mark.parametrize("resource, key", [
    ({"dataset": "a", "paginator": {"type": "cursor", "cursor": "data[-1].id", "cursor_parm": "starting_after"}},
     '"cursor_parm"'),
    ({"dataset": "a", "recods": "data"}, '"recods"'),
    ({"dataset": "a", "paginator": {"type": "cursor", "cursor": "$.data[-1].id"}}, "paginator.cursor"),
    ({"dataset": "a", "paginator": {"type": "cursor", "cursor": "data[last].id"}}, "paginator.cursor"),
])
def test_a_declaration_lake_cannot_follow_is_refused_when_loaded(tmp_path, resource, key):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"source": "s", "base_url": "http://127.0.0.1:9/", "resources": [resource]}))
    result = lake("ingest", "api", str(path), "--lake", str(tmp_path / "lake"), check=False)
    assert result.returncode == 1
    assert str(path) in result.stderr and key in result.stderr, result.stderr
    assert not (tmp_path / "lake" / "raw").exists()
