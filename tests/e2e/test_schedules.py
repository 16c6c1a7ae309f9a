"""Snapshot schedules in `qdb serve` (storage.snapshots_config.schedules): an `every: 2s`
schedule makes, deep-verifies (a record beside each snapshot) and prunes snapshots; a schedule
never overlaps itself; a failing one is retried with backoff and counted in /metrics and the
log; the same list comes from the environment or --schedules; a bad entry is exit 78."""

import json
import re
import time

import pytest

from qdb_helpers import create_collection, free_port, ok, run_qdb, upsert, wait_for


def metric(text, name, schedule):
    m = re.search(rf'^{name}{{schedule="{schedule}"}} ([0-9.e+]+)$', text, re.M)
    return float(m.group(1)) if m else None


def fill(api, name, n=50):
    create_collection(api, name, size=4)
    upsert(api, name, points=[{"id": i, "vector": [1.0, float(i), 0.5, 0.0], "payload": {"i": i}} for i in range(n)])


CONFIG = """\
storage:
  snapshots_config:
    schedules:
      - name: fast
        collections: ["*"]
        every: 2s
        verify: true
        keep: {keep_last: 2}
      - name: broken
        collections: [no_such_collection]
        every: 1h
        retries: 2
"""


def test_every_2s_makes_verifies_and_prunes(server_factory):
    srv = server_factory(config_text=CONFIG)
    api = srv.api()
    fill(api, "sched_a")
    fill(api, "sched_b", n=20)
    # at least three successful runs after both collections exist
    wait_for(lambda: metric(ok_text(srv), "qdb_schedule_last_success_timestamp_seconds", "fast"), what="a first run")
    first = metric(ok_text(srv), "qdb_schedule_last_success_timestamp_seconds", "fast")
    wait_for(lambda: (metric(ok_text(srv), "qdb_schedule_last_success_timestamp_seconds", "fast") or 0) >= first + 5,
             timeout=40, what="three more runs")
    for coll in ["sched_a", "sched_b"]:
        listed = ok(api.get(f"/collections/{coll}/snapshots"))
        assert len(listed) == 2, listed  # keep_last 2 pruned the rest
        for snap in listed:
            record = json.loads((srv.snapshots / coll / (snap["name"] + ".verification.json")).read_text())
            assert record["ok"] is True and record["deep"] is True and record["sha256"] == snap["checksum"]
        # what was pruned left no sidecars or records behind
        names = {s["name"] for s in listed}
        for p in (srv.snapshots / coll).iterdir():
            assert any(p.name.startswith(n) for n in names), p.name
    text = ok_text(srv)
    assert metric(text, "qdb_schedule_last_bytes", "fast") > 0
    assert metric(text, "qdb_schedule_last_duration_seconds", "fast") is not None
    assert (metric(text, "qdb_schedule_next_run_timestamp_seconds", "fast") or 0) > time.time() - 5
    states = {x["name"]: x for x in ok(api.get("/schedules"))}
    assert list(states) == ["fast", "broken"]
    fast = states["fast"]
    assert fast["schedule"]["every"] == "2s" and fast["schedule"]["keep"] == {"keep_last": 2}
    assert fast["runs"] >= 3 and fast["last_success"] and fast["next_run"] and fast["last_bytes"] > 0
    ops = ok(api.get("/operations"))
    assert sum(o["kind"] == "create_collection_snapshot" and o["phase"] == "succeeded" for o in ops) >= 6
    # the broken schedule ran once at start, was retried twice with backoff (1 s, 2 s), then waits an hour
    wait_for(lambda: metric(ok_text(srv), "qdb_schedule_failures_total", "broken") == 3, timeout=20, what="3 failures")
    time.sleep(1.5)
    assert metric(ok_text(srv), "qdb_schedule_failures_total", "broken") == 3
    assert metric(ok_text(srv), "qdb_schedule_last_success_timestamp_seconds", "broken") is None
    log = srv.log_tail(200000)
    assert log.count("scheduled snapshot run failed") == 3 and "no_such_collection" in log
    broken = {x["name"]: x for x in ok(api.get("/schedules"))}["broken"]
    assert broken["failures"] == 3 and "no_such_collection" in broken["last_error"] and broken["runs"] == 0
    assert "scheduled snapshots done" in log


def ok_text(srv):
    return srv.api().get("/metrics").text


def test_a_schedule_never_overlaps_itself(server_factory):
    # every create chunk pauses 200 ms, so one run takes longer than the 1 s interval
    schedules = json.dumps([{"name": "slow", "collections": ["slow_c"], "every": "1s"}])
    srv = server_factory(args=["--schedules", schedules], env={"QDB_FAILPOINT_OPERATION_CHUNK_MS": "200"})
    api = srv.api()
    fill(api, "slow_c", n=3000)
    deadline = time.monotonic() + 8
    seen_running = 0
    while time.monotonic() < deadline:
        running = [o for o in ok(api.get("/operations")) if o["collection"] == "slow_c" and o["phase"] == "running"]
        assert len(running) <= 1, running
        seen_running = max(seen_running, len(running))
        time.sleep(0.05)
    assert seen_running == 1
    done = [o for o in ok(api.get("/operations")) if o["collection"] == "slow_c" and o["phase"] == "succeeded"]
    assert done, "no run finished"


def test_schedules_from_the_environment(server_factory):
    env = {"QDB__STORAGE__SNAPSHOTS_CONFIG__SCHEDULES": '[{"name": "envs", "full": true, "every": "1s", "keep": {"keep_last": 1}}]'}
    srv = server_factory(env=env)
    api = srv.api()
    fill(api, "env_c", n=5)
    wait_for(lambda: metric(ok_text(srv), "qdb_schedule_last_success_timestamp_seconds", "envs"), what="a full snapshot run")
    time.sleep(2.5)
    assert len(ok(api.get("/snapshots"))) == 1


@pytest.mark.parametrize("entry,needle", [
    ({"name": "x", "collections": ["*"]}, "every"),
    ({"name": "x", "collections": ["*"], "every": "soon"}, "every"),
    ({"name": "x", "collections": ["*"], "cron": "61 * * * *"}, "cron"),
    ({"name": "x", "every": "1h"}, "collections"),
    ({"name": "x", "collections": ["*"], "every": "1h", "keep": {"keep_within": "2x"}}, "keep-within"),
    ({"name": "x", "collections": ["*"], "every": "1h", "keep": {}}, "keep"),
])
def test_bad_schedules_exit_78(tmp_path, entry, needle):
    res = run_qdb(["serve", "--storage", str(tmp_path / "st"), "--host", "127.0.0.1", "--http-port", str(free_port()),
                   "--schedules", json.dumps([entry])], timeout=30)
    assert res.returncode == 78, res.stderr
    assert needle in res.stderr and "schedule" in res.stderr
