"""Governance: each planted swamp symptom is reported with its rule and path; a clean lake
reports nothing; retention deletes exactly the expired partitions, audited and crash-safe;
adoption catalogs stray files; the HTML report renders in headless Chromium."""
import datetime
import gzip
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import LAKE, REPO, catalog, lake, land_events

CONTRACT = REPO / "Tests" / "Integration" / "fixtures" / "governed.json"
TODAY = datetime.datetime.now(datetime.timezone.utc).date()


def day(offset):
    return (TODAY - datetime.timedelta(days=offset)).isoformat()


def event(i, days_ago=0, **extra):
    return {"id": f"e{i}", "user_id": f"user-{i % 7}", "at": f"{day(days_ago)}T0{i % 10}:00:00Z", "n": i,
            "region": ["SE", "US"][i % 2], **extra}


def land(root, events, tmp_path, name="batch"):
    land_events(root, "events", events, tmp_path, name)


def build(tmp_path, events):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    lake("catalog", "register", str(CONTRACT), "--lake", str(root))
    land(root, events, tmp_path)
    lake("promote", "events", "--lake", str(root), "--quiet")
    return root


def governance(root, *extra, cwd=None):
    """Runs `lake governance --format json` outside the repository (no schemas/ folder)."""
    result = lake("governance", "--lake", str(root), "--format", "json", *extra, check=False, cwd=cwd or root.parent)
    assert result.returncode in (0, 3), result.stderr
    return json.loads(result.stdout)


def findings(report, rule=None):
    return [f for f in report["findings"] if rule is None or f["rule"] == rule]


@pytest.fixture
def clean(tmp_path):
    return build(tmp_path, [event(i, days_ago=i % 2) for i in range(40)])


def raw_files(root):
    return sorted(p for p in (root / "raw").rglob("*.ndjson.gz"))


def test_a_clean_lake_reports_nothing_and_strict_passes(clean):
    report = governance(clean)
    assert report["findings"] == [], report["findings"]
    assert report["summary"]["findings"] == 0 and report["summary"]["strict_violation"] is False
    assert lake("governance", "--lake", str(clean), "--strict", check=False, cwd=clean.parent).returncode == 0
    table = lake("governance", "--lake", str(clean), cwd=clean.parent).stdout
    assert "No findings" in table


def plant_uncataloged_file(root, tmp_path):
    source = raw_files(root)[0]
    target = source.parent / "copied-by-hand.ndjson.gz"
    shutil.copy(source, target)
    return [("uncataloged-file", str(target.relative_to(root)))]


def plant_folder_without_contract(root, tmp_path):
    folder = root / "raw" / "vendor" / "mystery" / f"dt={day(0)}"
    folder.mkdir(parents=True)
    with gzip.open(folder / "x.ndjson.gz", "wt") as f:
        f.write('{"a": 1}\n')
    return [("dataset-without-contract", "raw/vendor/mystery"),
            ("uncataloged-file", f"raw/vendor/mystery/dt={day(0)}/x.ndjson.gz")]


def plant_undocumented_dataset(root, tmp_path):
    contract = json.loads(CONTRACT.read_text())
    contract["title"] = "lab.orphan"
    del contract["x-lake"]["owner"], contract["x-lake"]["retention_days"], contract["description"]
    path = tmp_path / "orphan.json"
    path.write_text(json.dumps(contract))
    lake("catalog", "register", str(path), "--lake", str(root))
    return [("missing-owner", None), ("missing-retention", None), ("missing-description", None)]


def plant_expired_partition(root, tmp_path):
    land(root, [event(100 + i, days_ago=45) for i in range(4)], tmp_path, "old")
    return [("past-retention", f"raw/events/events/dt={day(45)}/region=SE"),
            ("past-retention", f"raw/events/events/dt={day(45)}/region=US")]


def plant_missing_file(root, tmp_path):
    victim = raw_files(root)[0]
    victim.unlink()
    return [("missing-file", str(victim.relative_to(root)))]


def plant_truncated_gzip(root, tmp_path):
    victim = raw_files(root)[1]
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])
    path = str(victim.relative_to(root))
    return [("size-mismatch", path), ("corrupt-gzip", path)]


def plant_corrupt_gzip_same_size(root, tmp_path):
    victim = raw_files(root)[0]
    data = bytearray(victim.read_bytes())
    for i in range(12, len(data) - 8):
        data[i] ^= 0x5A
    victim.write_bytes(bytes(data))
    return [("corrupt-gzip", str(victim.relative_to(root)))]


def plant_broken_parquet_footer(root, tmp_path):
    victim = sorted((root / "staged" / "events").resolve().rglob("*.parquet"))[0]
    data = bytearray(victim.read_bytes())
    data[-8:-4] = b"\xff\xff\xff\x7f"
    victim.write_bytes(bytes(data))
    return [("corrupt-parquet", "staged/events/" + str(victim.relative_to((root / "staged" / "events").resolve())))]


def plant_tmp_leftover(root, tmp_path):
    leftover = root / "_tmp" / "stream-events" / "half-written.ndjson.gz"
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"\x1f\x8b partial")
    old = time.time() - 2 * 3600
    os.utime(leftover, (old, old))
    return [("stale-tmp", "_tmp/stream-events/half-written.ndjson.gz")]


def plant_drift(root, tmp_path):
    land(root, [event(200, mood="happy")], tmp_path, "drift")
    lake("promote", "events", "--lake", str(root), "--quiet")
    return [("schema-drift", None)]


def plant_quarantine(root, tmp_path):
    land(root, [{"id": "bad", "at": f"{day(0)}T01:00:00Z", "region": "SE"}], tmp_path, "bad")
    lake("promote", "events", "--lake", str(root), "--quiet")
    return [("quarantined-records", "quarantine/events")]


def plant_unmasked_pii(root, tmp_path):
    folder = root / "curated" / "listeners" / f"dt={day(0)}"
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"user_id": ["user-1", "user-2"], "plays": [3, 4]}), folder / "part-0.parquet")
    return [("pii-unmasked", f"curated/listeners/dt={day(0)}/part-0.parquet")]


PLANTS = [plant_uncataloged_file, plant_folder_without_contract, plant_undocumented_dataset, plant_expired_partition,
          plant_missing_file, plant_truncated_gzip, plant_corrupt_gzip_same_size, plant_broken_parquet_footer,
          plant_tmp_leftover, plant_drift, plant_quarantine, plant_unmasked_pii]


@pytest.mark.parametrize("plant", PLANTS, ids=lambda p: p.__name__[6:])
def test_each_planted_finding_is_reported_with_its_rule_and_path(clean, tmp_path, plant):
    expected = plant(clean, tmp_path)
    report = governance(clean)
    got = {(f["rule"], f["path"]) for f in report["findings"]}
    for rule, path in expected:
        if path is None:
            assert any(f["rule"] == rule for f in report["findings"]), (rule, report["findings"])
        else:
            assert (rule, path) in got, (rule, path, sorted(got))
    for f in report["findings"]:
        assert f["severity"] in ("error", "warning", "info") and f["hint"] and f["message"]
        assert f["path"] is None or not f["path"].startswith("/"), f
    assert lake("governance", "--lake", str(clean), "--strict", check=False, cwd=clean.parent).returncode == 3
    table = lake("governance", "--lake", str(clean), check=False, cwd=clean.parent)
    assert table.returncode == 0 and expected[0][0] in table.stdout


def test_a_changed_checksum_is_found_only_with_verify(clean):
    victim = raw_files(clean)[0]
    stat = victim.stat()
    data = bytearray(victim.read_bytes())
    data[-5] ^= 0x01  # inside the gzip trailer's size field: same length, same mtime below
    victim.write_bytes(bytes(data))
    os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    path = str(victim.relative_to(clean))
    assert findings(governance(clean)) == []
    verified = governance(clean, "--verify")
    assert ("checksum-mismatch", path) in {(f["rule"], f["path"]) for f in verified["findings"]}
    assert verified["verify"] is True


def test_masked_pii_passes_the_pii_rule(clean):
    folder = clean / "curated" / "listeners"
    folder.mkdir(parents=True)
    key = b"k" * 32
    masked = [hmac.new(key, u.encode(), hashlib.sha256).hexdigest() for u in ("user-1", "user-2")]
    pq.write_table(pa.table({"user_id": masked, "plays": [3, 4]}), folder / "part-0.parquet")
    assert findings(governance(clean), "pii-unmasked") == []


def test_stale_data_is_reported_against_freshness_hours(tmp_path):
    root = build(tmp_path, [event(i, days_ago=5) for i in range(6)])
    stale = findings(governance(root), "stale-data")
    assert [f["dataset"] for f in stale] == ["events"]
    assert "72 hours" in stale[0]["message"]


def test_json_report_has_the_documented_shape(clean):
    plant_uncataloged_file(clean, None)
    report = governance(clean)
    assert set(report) >= {"lake", "checked_at", "verify", "summary", "findings", "usage", "freshness"}
    assert set(report["summary"]) >= {"findings", "error", "warning", "info", "strict_violation", "by_rule", "by_category"}
    assert report["summary"]["by_rule"] == {"uncataloged-file": 1}
    assert list(report["findings"][0]) == ["rule", "category", "severity", "dataset", "path", "message", "hint", "bytes"]
    zones = {(u["zone"], u["dataset"]) for u in report["usage"]}
    assert ("raw", "events") in zones and ("staged", "events") in zones


def test_schemas_folder_out_of_sync_with_the_catalog_is_reported(clean, tmp_path):
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    contract = json.loads(CONTRACT.read_text())
    contract["description"] = "changed after registration"
    (schemas / "events.json").write_text(json.dumps(contract))
    report = governance(clean, "--schemas", str(schemas))
    assert [f["dataset"] for f in findings(report, "contract-not-synced")] == ["events"]


# --- retention -------------------------------------------------------------------------------

def catalog_paths(root):
    return {r[0] for r in catalog(root).execute("SELECT path FROM lake_files")}


def disk_paths(root):
    """Files in the zones, following staged/<dataset> (a link to its current version)."""
    found = set()
    for zone in ("raw", "staged", "quarantine", "curated"):
        for folder, _, names in os.walk(root / zone, followlinks=True):
            found |= {str((Path(folder) / n).relative_to(root)) for n in names}
    return found


@pytest.fixture
def aged(tmp_path):
    """A lake with two expired days (45 and 33 days ago) and two kept ones (28 and 0): days
    away from the 30-day cutoff, so a run across midnight UTC cannot move them across it."""
    events = [event(i, days_ago=[45, 33, 28, 0][i % 4]) for i in range(40)]
    return build(tmp_path, events)


def expired(path):
    return f"dt={day(45)}" in path or f"dt={day(33)}" in path


def test_retention_dry_run_changes_nothing(aged):
    before = (catalog_paths(aged), disk_paths(aged))
    plan = json.loads(lake("retention", "--lake", str(aged), "--format", "json").stdout)
    assert plan["applied"] is False
    assert {p["dt"] for p in plan["partitions"]} == {day(45), day(33)}
    assert {p["zone"] for p in plan["partitions"]} == {"raw", "staged"}
    assert plan["files"] == sum(1 for p in before[0] if expired(p))
    assert (catalog_paths(aged), disk_paths(aged)) == before
    assert "Would delete" in lake("retention", "--lake", str(aged)).stdout


def test_retention_apply_removes_exactly_the_expired_partitions(aged):
    before = catalog_paths(aged)
    out = json.loads(lake("retention", "--apply", "--lake", str(aged), "--format", "json").stdout)
    gone = {p for p in before if expired(p)}
    assert gone and out["deleted_files"] == len(gone)
    assert catalog_paths(aged) == before - gone
    assert disk_paths(aged) == before - gone
    assert not list(aged.rglob(f"dt={day(45)}"))
    report = governance(aged)
    assert report["findings"] == [], report["findings"]
    audit = json.loads(lake("catalog", "audit", "--lake", str(aged), "--format", "json").stdout)
    assert audit[0]["action"] == "retention" and audit[0]["state"] == "done"
    assert set(audit[0]["paths"]) == gone and "retention --apply" in audit[0]["command"]
    assert "older than 30 days" in audit[0]["reason"]
    again = json.loads(lake("retention", "--apply", "--lake", str(aged), "--format", "json").stdout)
    assert again["files"] == 0 and again["deleted_files"] == 0


def test_retention_killed_part_way_is_consistent_and_finished_by_the_next_run(aged):
    before = catalog_paths(aged)
    gone = {p for p in before if expired(p)}
    killed = lake("retention", "--apply", "--lake", str(aged), check=False,
                  env={**os.environ, "LAKE_CRASH_AT": "retention:deleting"})
    assert killed.returncode == -9
    # The catalog already forgot the files; those still on disk belong to the unfinished run.
    assert catalog_paths(aged) == before - gone
    report = governance(aged)
    assert {f["rule"] for f in report["findings"]} == {"unfinished-retention"}
    assert findings(report, "missing-file") == [] and findings(report, "uncataloged-file") == []
    out = json.loads(lake("retention", "--apply", "--lake", str(aged), "--format", "json").stdout)
    assert len(out["resumed"]) == 1 and out["resumed"][0]["files"] == len(gone) - 1
    assert disk_paths(aged) == before - gone
    assert governance(aged)["findings"] == []


def test_retention_never_touches_uncataloged_files(aged):
    stray = aged / "raw" / "events" / "events" / f"dt={day(45)}" / "region=SE" / "stray.ndjson.gz"
    stray.write_bytes(gzip.compress(b'{"x": 1}\n'))
    lake("retention", "--apply", "--lake", str(aged))
    assert stray.exists()


# --- adoption --------------------------------------------------------------------------------

def test_adopt_catalogs_stray_files_and_the_finding_goes_away(clean):
    folder = clean / "raw" / "events" / "events" / f"dt={day(1)}" / "region=FI"
    folder.mkdir(parents=True)
    lines = [json.dumps({"_meta": {"source": "manual"}, "value": event(300 + i)}) for i in range(5)]
    (folder / "manual.ndjson.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    path = f"raw/events/events/dt={day(1)}/region=FI/manual.ndjson.gz"
    assert (("uncataloged-file", path) in {(f["rule"], f["path"]) for f in governance(clean)["findings"]})

    out = json.loads(lake("catalog", "adopt", str(folder), "--dataset", "events", "--lake", str(clean),
                          "--format", "json").stdout)
    assert [f["path"] for f in out["files"]] == [path]
    assert out["files"][0]["rows"] == 5 and out["files"][0]["dt"] == day(1) and out["files"][0]["region"] == "FI"
    assert out["files"][0]["sha256"] == hashlib.sha256((folder / "manual.ndjson.gz").read_bytes()).hexdigest()
    assert governance(clean)["findings"] == []
    row = catalog(clean).execute("SELECT dataset, zone, rows, bytes FROM lake_files WHERE path = ?", (path,)).fetchone()
    assert row == ("events", "raw", 5, (folder / "manual.ndjson.gz").stat().st_size)
    audit = json.loads(lake("catalog", "audit", "--lake", str(clean), "--format", "json").stdout)
    assert audit[0]["action"] == "adopt" and audit[0]["paths"] == [path]


def test_adopt_reads_parquet_rows_and_creates_an_owned_dataset(clean):
    folder = clean / "curated" / "by_hand" / f"dt={day(0)}"
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"x": list(range(12))}), folder / "part-0.parquet")
    out = json.loads(lake("catalog", "adopt", "curated/by_hand", "--dataset", "by_hand", "--owner", "analysts",
                          "--lake", str(clean), "--format", "json", cwd=clean.parent).stdout)
    assert out["rows"] == 12 and out["files"][0]["zone"] == "curated"
    report = governance(clean)
    assert findings(report, "uncataloged-file") == []
    assert findings(report, "missing-owner") == []
    assert [f["dataset"] for f in findings(report, "dataset-without-contract")] == ["by_hand"]


def test_adopt_refuses_paths_outside_the_lake_and_corrupt_files(clean, tmp_path):
    outside = tmp_path / "elsewhere.ndjson.gz"
    outside.write_bytes(gzip.compress(b"{}\n"))
    result = lake("catalog", "adopt", str(outside), "--dataset", "events", "--lake", str(clean), check=False)
    assert result.returncode == 1 and "outside the lake root" in result.stderr
    bad = clean / "raw" / "events" / "events" / f"dt={day(0)}" / "region=SE" / "bad.ndjson.gz"
    bad.write_bytes(b"\x1f\x8b\x08 not really gzip")
    result = lake("catalog", "adopt", str(bad), "--dataset", "events", "--lake", str(clean), check=False)
    assert result.returncode == 1 and "bad.ndjson.gz" in result.stderr and "gzip" in result.stderr
    assert str(bad.relative_to(clean)) not in catalog_paths(clean)


# --- HTML ------------------------------------------------------------------------------------

def chromium():
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found is None:
        pytest.fail("chromium is not installed: run scripts/setup")
    return found


def render(html_path):
    """The DOM after scripts ran, and the console errors, from headless Chromium."""
    result = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--enable-logging=stderr",
         "--v=0", "--dump-dom", html_path.as_uri()], capture_output=True, text=True, timeout=120)
    errors = [l for l in result.stderr.splitlines() if ":CONSOLE" in l]
    return result.stdout, errors


def test_html_report_renders_its_charts_in_headless_chromium(clean, tmp_path):
    plant_uncataloged_file(clean, tmp_path)
    plant_tmp_leftover(clean, tmp_path)
    page = tmp_path / "governance.html"
    lake("governance", "--lake", str(clean), "--format", "html", "--output", str(page), cwd=clean.parent)
    dom, errors = render(page)
    assert errors == []
    for chart in ("chart-bytes", "chart-files", "chart-findings", "chart-freshness"):
        assert f'id="{chart}"' in dom
    assert 'data-charts="4"' in dom  # set by the page's script: it ran
    assert dom.count('class="bar"') >= 4
    assert "uncataloged-file" in dom and "stale-tmp" in dom
    assert "http://" not in page.read_text() and "https://" not in page.read_text()  # self-contained

    # The console check itself works: a page with a script error is caught.
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><script>notAFunction();</script></body></html>")
    assert render(broken)[1] != []
