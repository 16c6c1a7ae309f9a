"""`qdb prune`: restic's keep rules per collection, checked against an independent Python
implementation of restic's documented rules on a 400-snapshot, two-year history; the newest
verified snapshot is never removed; the local lock makes a second prune wait or exit 75 naming
the holder, and a SIGKILLed holder's lock is taken over."""

import json
import os
import random
import signal
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from qdb_helpers import QDB_BIN, clean_env, create_collection, ok, run_qdb, unique, upsert

RULES = ["last", "hourly", "daily", "weekly", "monthly", "yearly"]


def bucket(rule, i, t):
    if rule == "last":
        return i
    if rule == "hourly":
        return (t.year, t.month, t.day, t.hour)
    if rule == "daily":
        return (t.year, t.month, t.day)
    if rule == "weekly":
        y, w, _ = t.isocalendar()
        return (y, w)
    if rule == "monthly":
        return (t.year, t.month)
    return t.year


def add_within(t, spec):
    """restic: newest.AddDate(-y, -m, -d).Add(-h), with Go's month normalisation."""
    y = m = d = h = 0
    num = ""
    for ch in spec:
        if ch.isdigit():
            num += ch
            continue
        n = int(num)
        num = ""
        y, m, d, h = (y + n, m, d, h) if ch == "y" else (y, m + n, d, h) if ch == "m" else \
            (y, m, d + n, h) if ch == "d" else (y, m, d, h + n)
    month0 = t.month - 1 - m
    year = t.year - y + month0 // 12
    month = month0 % 12 + 1
    base = datetime(year, month, 1, t.hour, t.minute, t.second, tzinfo=timezone.utc) + timedelta(days=t.day - 1)
    return base - timedelta(days=d, hours=h)


def restic_expectation(times, policy):
    """{time: [reasons]} per restic's forget docs: for each rule, walk snapshots newest first and
    keep the first one of each new bucket until N buckets were kept (-1: no limit)."""
    order = sorted(times, reverse=True)
    reasons = {t: [] for t in order}
    for rule in RULES:
        n = policy.get(rule)
        if not n:
            continue
        seen = set()
        for i, t in enumerate(order):
            b = bucket(rule, i, t)
            if b in seen:
                continue
            if n != -1 and len(seen) >= n:
                break
            seen.add(b)
            reasons[t].append(rule)
    if policy.get("within"):
        limit = add_within(order[0], policy["within"])
        for t in order:
            if t > limit:
                reasons[t].append("within")
    return reasons


def history(n=400, seed=16):
    rnd = random.Random(seed)
    start = datetime(2024, 11, 20, tzinfo=timezone.utc)
    span = int(timedelta(days=730).total_seconds())
    secs = set()
    # bursts (several per hour/day) and gaps, so every bucket rule has something to decide
    while len(secs) < n:
        base = rnd.randrange(span)
        for _ in range(rnd.choice([1, 1, 2, 3])):
            secs.add(min(span - 1, base + rnd.randrange(0, 7200)))
    return [start + timedelta(seconds=s) for s in sorted(secs)[:n]]


def name_of(coll, t):
    return f"{coll}-1-{t.strftime('%Y-%m-%d-%H-%M-%S')}.snapshot"


def write_history(root: Path, coll: str, times):
    d = root / coll
    d.mkdir(parents=True, exist_ok=True)
    for t in times:
        (d / name_of(coll, t)).write_bytes(b"x" * 10)
    return d


def test_dry_run_json_matches_restic_rules_on_400_snapshots(tmp_path):
    snaps = tmp_path / "snapshots"
    times = history()
    write_history(snaps, "hist", times)
    write_history(snaps, "other", times[:5])
    policy = {"last": 3, "hourly": 6, "daily": 10, "weekly": 8, "monthly": 14, "yearly": 5, "within": "3d12h"}
    args = ["prune", "--snapshots-path", str(snaps), "--dry-run", "--json",
            "--keep-last", "3", "--keep-hourly", "6", "--keep-daily", "10", "--keep-weekly", "8",
            "--keep-monthly", "14", "--keep-yearly", "5", "--keep-within", "3d12h"]
    r = run_qdb(args)
    assert r.returncode == 0, r.stderr
    decisions = json.loads(r.stdout)
    hist = [d for d in decisions if d["scope"] == "hist"]
    assert len(hist) == 400 and len([d for d in decisions if d["scope"] == "other"]) == 5
    expected = restic_expectation(times, policy)
    by_name = {name_of("hist", t): why for t, why in expected.items()}
    for d in hist:
        assert d["reasons"] == by_name[d["name"]], d
        assert d["keep"] == bool(by_name[d["name"]]) and d["removed"] is False
    kept = sum(1 for d in hist if d["keep"])
    assert 20 < kept < 80, kept  # the table is not trivially "all" or "none"
    assert len(list((snaps / "hist").glob("*.snapshot"))) == 400  # a dry run removes nothing

    # the real run removes exactly what the dry run said, and writes node_exporter metrics
    metrics = tmp_path / "prune.prom"
    r = run_qdb([a for a in args if a != "--dry-run"] + ["--metrics-textfile", str(metrics)])
    assert r.returncode == 0, r.stderr
    left = sorted(p.name for p in (snaps / "hist").glob("*.snapshot"))
    assert left == sorted(d["name"] for d in hist if d["keep"])
    text = metrics.read_text()
    assert f'qdb_prune_removed_snapshots{{scope="hist"}} {400 - kept}.0' in text
    assert "# TYPE qdb_prune_kept_snapshots gauge" in text


def test_named_collection_and_text_output(tmp_path):
    snaps = tmp_path / "snapshots"
    times = history(12, seed=3)
    write_history(snaps, "a", times)
    write_history(snaps, "b", times)
    r = run_qdb(["prune", "a", "--snapshots-path", str(snaps), "--keep-last", "2"])
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 12 and sum(line.startswith("keep\ta\t") for line in lines) == 2
    assert len(list((snaps / "a").glob("*.snapshot"))) == 2
    assert len(list((snaps / "b").glob("*.snapshot"))) == 12  # not named, not touched


def test_no_rule_is_refused_and_bad_within_is_a_usage_error(tmp_path):
    r = run_qdb(["prune", "--snapshots-path", str(tmp_path)])
    assert r.returncode == 64 and "keep rule" in r.stderr
    r = run_qdb(["prune", "--snapshots-path", str(tmp_path), "--keep-within", "3x"])
    assert r.returncode == 64 and "1y2m3d4h" in r.stderr


def test_newest_verified_snapshot_is_never_removed(tmp_path):
    storage = tmp_path / "storage"
    snaps = tmp_path / "snapshots"
    r = run_qdb(["serve", "--help"])
    assert r.returncode == 0
    # two real archives made offline, one verified with --record; then keep-last 0 keeps only it
    from qdb_helpers import QdbServer
    srv = QdbServer(tmp_path / "srv")
    srv.storage, srv.snapshots = storage, snaps
    srv.start()
    try:
        api = srv.api()
        create_collection(api, "v", size=4)
        upsert(api, "v", points=[{"id": i, "vector": [1.0, 0, 0, float(i)]} for i in range(5)])
        first = ok(api.post("/collections/v/snapshots"))["name"]
        time.sleep(1.1)
        second = ok(api.post("/collections/v/snapshots"))["name"]
    finally:
        srv.stop()
    r = run_qdb(["verify", str(snaps / "v" / first), "--record"])
    assert r.returncode == 0, r.stderr
    record = json.loads((snaps / "v" / (first + ".verification.json")).read_text())
    assert record["ok"] is True and record["sha256"] == (snaps / "v" / (first + ".checksum")).read_text()
    r = run_qdb(["prune", "--snapshots-path", str(snaps), "--keep-last", "0", "--json"])
    assert r.returncode == 0, r.stderr
    d = {x["name"]: x for x in json.loads(r.stdout)}
    assert d[first]["keep"] and d[first]["reasons"] == ["newest-verified"]
    assert not d[second]["keep"] and d[second]["removed"]
    assert sorted(p.name for p in (snaps / "v").iterdir()) == sorted([first, first + ".checksum", first + ".verification.json"])


def slow_prune(snaps, ms=4000):
    env = clean_env({"QDB_FAILPOINT_PRUNE_DELETE_MS": str(ms)})
    return subprocess.Popen([QDB_BIN, "prune", "--snapshots-path", str(snaps), "--keep-last", "1"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_locked(snaps, pid, timeout=20):
    lock = snaps / ".qdb-lock"
    deadline = time.monotonic() + timeout
    while True:
        try:
            if json.loads(lock.read_text())["pid"] == pid:
                return
        except (OSError, ValueError, KeyError):
            pass
        assert time.monotonic() < deadline, "the first prune never took the lock"
        time.sleep(0.05)


def test_two_prunes_one_exits_75_naming_the_holder_or_waits(tmp_path):
    snaps = tmp_path / "snapshots"
    write_history(snaps, "l", history(6, seed=5))
    first = slow_prune(snaps)
    try:
        wait_locked(snaps, first.pid)
        second = run_qdb(["prune", "--snapshots-path", str(snaps), "--keep-last", "1"])
        assert second.returncode == 75, second.stderr
        assert f"pid {first.pid}" in second.stderr and "qdb prune" in second.stderr
        waiting = run_qdb(["prune", "--snapshots-path", str(snaps), "--keep-last", "1", "--lock-wait", "20"], timeout=40)
        assert waiting.returncode == 0, waiting.stderr
        assert first.poll() == 0  # the waiter only got the lock once the first had finished
    finally:
        if first.poll() is None:
            first.kill()
        first.wait()
    assert len(list((snaps / "l").glob("*.snapshot"))) == 1


def test_sigkilled_holders_lock_is_taken_over(tmp_path):
    snaps = tmp_path / "snapshots"
    write_history(snaps, "k", history(6, seed=7))
    holder = slow_prune(snaps, ms=30000)
    wait_locked(snaps, holder.pid)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    r = run_qdb(["prune", "--snapshots-path", str(snaps), "--keep-last", "2"])
    assert r.returncode == 0, r.stderr
    assert len(list((snaps / "k").glob("*.snapshot"))) == 2


def test_a_create_waits_for_a_running_prune(server_factory):
    """The server's create holds the directory's lock shared: while a prune holds it, the
    create waits, and it completes once the prune is done."""
    srv = server_factory()
    api = srv.api()
    create_collection(api, "w", size=4)
    upsert(api, "w", points=[{"id": 1, "vector": [1.0, 0, 0, 0]}])
    ok(api.post("/collections/w/snapshots"))
    first = slow_prune(srv.snapshots, ms=3000)
    try:
        wait_locked(srv.snapshots, first.pid)
        t0 = time.monotonic()
        made = ok(api.post("/collections/w/snapshots"))
        waited = time.monotonic() - t0
        assert first.wait(30) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert waited > 1.0, waited  # it waited for the prune
    assert made["name"] in [s["name"] for s in ok(api.get("/collections/w/snapshots"))]


# prune --url: the server prunes its own store under the same repository lock

def test_prune_url_waits_for_or_refuses_a_local_holder(server_factory):
    srv = server_factory()
    write_history(srv.snapshots, "l", history(6, seed=5))
    first = slow_prune(srv.snapshots)
    try:
        wait_locked(srv.snapshots, first.pid)
        refused = run_qdb(["prune", "--url", srv.url, "--keep-last", "1"])
        assert refused.returncode == 75, refused.stderr
        assert f"pid {first.pid}" in refused.stderr and "qdb prune" in refused.stderr
        assert str(srv.root) not in refused.stderr  # the server's path stays redacted
        waiting = run_qdb(["prune", "--url", srv.url, "--keep-last", "1", "--lock-wait", "20", "--json"], timeout=40)
        assert waiting.returncode == 0, waiting.stderr
        assert first.poll() == 0  # the server only got the lock once the local prune had finished
    finally:
        if first.poll() is None:
            first.kill()
        first.wait()
    assert len(list((srv.snapshots / "l").glob("*.snapshot"))) == 1


def test_a_running_prune_url_holds_the_lock_against_local_and_remote_prunes(server_factory):
    srv = server_factory(env={"QDB_FAILPOINT_PRUNE_DELETE_MS": "4000"})
    write_history(srv.snapshots, "r", history(6, seed=9))
    first = subprocess.Popen([QDB_BIN, "prune", "--url", srv.url, "--keep-last", "2"], env=clean_env({}),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_locked(srv.snapshots, srv.proc.pid)
        holder = json.loads((srv.snapshots / ".qdb-lock").read_text())
        assert holder["purpose"] == "qdb serve prune", holder
        local = run_qdb(["prune", "--snapshots-path", str(srv.snapshots), "--keep-last", "1"])
        assert local.returncode == 75 and "qdb serve prune" in local.stderr, local.stderr
        remote = run_qdb(["prune", "--url", srv.url, "--keep-last", "1"])
        assert remote.returncode == 75 and "qdb serve prune" in remote.stderr, remote.stderr
        out, err = first.communicate(timeout=60)
        assert first.returncode == 0, err
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert len(list((srv.snapshots / "r").glob("*.snapshot"))) == 2


def test_prune_url_decides_as_local_prune_and_trusts_verification_records(server_factory):
    srv = server_factory()
    api = srv.api()
    create_collection(api, "v", size=4)
    upsert(api, "v", points=[{"id": i, "vector": [1.0, 0, 0, float(i)]} for i in range(5)])
    first = ok(api.post("/collections/v/snapshots"))["name"]
    time.sleep(1.1)
    second = ok(api.post("/collections/v/snapshots"))["name"]
    assert run_qdb(["verify", str(srv.snapshots / "v" / first), "--record"]).returncode == 0
    args = ["--keep-last", "0", "--dry-run", "--json"]
    local = run_qdb(["prune", "--snapshots-path", str(srv.snapshots), *args])
    remote = run_qdb(["prune", "v", "--url", srv.url, *args])
    assert local.returncode == 0 and remote.returncode == 0, (local.stderr, remote.stderr)
    assert json.loads(remote.stdout) == [d for d in json.loads(local.stdout) if d["scope"] == "v"]
    r = run_qdb(["prune", "v", "--url", srv.url, "--keep-last", "0", "--json"])
    d = {x["name"]: x for x in json.loads(r.stdout)}
    assert d[first]["keep"] and d[first]["reasons"] == ["newest-verified"], d
    assert d[second]["removed"], d
    assert [s["name"] for s in ok(api.get("/collections/v/snapshots"))] == [first]
    bad = run_qdb(["prune", "--url", srv.url, "--keep-within", "nonsense"])
    assert bad.returncode != 0 and "within" in bad.stderr, bad.stderr
