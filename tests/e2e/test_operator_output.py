"""What operators and scripts see: progress on stderr (never stdout), --json results and JSON
errors, and `qdb serve --log-format json` request and snapshot logs."""

import json
import subprocess
import time

from qdb_helpers import QDB_BIN, create_collection, ok, unique, upsert


def run(args, input_bytes=None, cwd=None):
    return subprocess.run([QDB_BIN, *args], input=input_bytes, capture_output=True, timeout=120, cwd=cwd)


def json_lines(stderr: bytes):
    return [json.loads(line) for line in stderr.decode().splitlines() if line.startswith("{")]


def offline(server_factory, n=3000):
    srv = server_factory()
    api = srv.api()
    name = unique("op")
    create_collection(api, name, size=16, distance="Dot")
    upsert(api, name, batch={"ids": list(range(n)), "vectors": [[float(i % 13)] * 16 for i in range(n)]})
    srv.stop()
    return srv, name, ["--storage", str(srv.storage), "--snapshots-path", str(srv.snapshots)]


def test_progress_json_goes_to_stderr_and_stdout_stays_data(server_factory, tmp_path):
    srv, name, where = offline(server_factory)
    created = run(["snapshot", "create", name, "--json", "--progress", "json", *where])
    assert created.returncode == 0, created.stderr
    desc = json.loads(created.stdout)  # stdout: the result document only
    done = json_lines(created.stderr)[-1]
    assert done["event"] == "done" and done["bytes"] == desc["size"] and done["total"] is None
    # Download to stdout with JSON progress: stdout is exactly the archive, stderr the events.
    dl = run(["snapshot", "download", name, desc["name"], "-o", "-", "--progress", "json", *where])
    assert dl.returncode == 0, dl.stderr
    assert len(dl.stdout) == desc["size"]
    events = json_lines(dl.stderr)
    assert events and events[-1]["event"] == "done"
    assert events[-1]["bytes"] == desc["size"] and events[-1]["total"] == desc["size"]
    assert all(e["operation"] == desc["name"] and e["bytes"] <= desc["size"] for e in events)
    # Restore from stdin reports too, and verify of a file knows the total.
    (tmp_path / "a.snapshot").write_bytes(dl.stdout)
    v = run(["verify", str(tmp_path / "a.snapshot"), "--progress", "json"])
    assert v.returncode == 0 and json_lines(v.stderr)[-1]["bytes"] == desc["size"]
    r = run(["restore", "-", "--collection", "copy", "--progress", "json", *where], input_bytes=dl.stdout)
    assert r.returncode == 0 and json_lines(r.stderr)[-1]["event"] == "done"
    assert b"restored copy" in r.stdout
    # --quiet silences progress; --progress none too; stdout unchanged.
    q = run(["snapshot", "download", name, desc["name"], "-o", "-", "--progress", "json", "-q", *where])
    assert q.returncode == 0 and q.stderr == b"" and q.stdout == dl.stdout
    n = run(["snapshot", "download", name, desc["name"], "-o", "-", "--progress", "none", *where])
    assert n.stderr == b"" and n.stdout == dl.stdout
    # auto: stderr is not a terminal here, so nothing.
    a = run(["snapshot", "download", name, desc["name"], "-o", "-", *where])
    assert a.stderr == b""


def test_json_mode_errors_are_one_json_object_on_stderr(tmp_path):
    where = ["--storage", str(tmp_path / "s"), "--snapshots-path", str(tmp_path / "snaps")]
    r = run(["snapshot", "list", "nope", "--json", *where])
    assert r.returncode == 66 and r.stdout == b""
    err = json.loads(r.stderr)
    assert err["exit_code"] == 66 and "nope" in err["error"]
    (tmp_path / "junk.snapshot").write_bytes(b"not a tar" * 100)
    r = run(["restore", str(tmp_path / "junk.snapshot"), "--collection", "c", "--json", *where])
    assert r.returncode == 65 and json.loads(r.stderr)["exit_code"] == 65
    # Without --json the same failure is one plain line.
    r = run(["snapshot", "list", "nope", *where])
    assert r.returncode == 66 and r.stderr.startswith(b"qdb: ")


def test_serve_logs_requests_and_snapshots_as_json(server_factory):
    srv = server_factory(args=["--log-format", "json"])
    api = srv.api()
    name = unique("log")
    create_collection(api, name, size=4, distance="Dot")
    upsert(api, name, points=[{"id": i, "vector": [i, 1, 0, 0]} for i in range(20)])
    desc = ok(api.post(f"/collections/{name}/snapshots"))
    assert api.get(f"/collections/{name}/snapshots/missing.snapshot").status_code == 404
    deadline = time.monotonic() + 5
    while True:
        lines = [json.loads(l) for l in srv.log_tail(200_000).splitlines() if l.startswith("{")]
        reqs = [l for l in lines if l.get("message") == "request"]
        created = [l for l in lines if l.get("message") == "snapshot created"]
        if (created and any(r["status"] == "404" for r in reqs)) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert all({"ts", "level", "label", "message"} <= set(l) for l in lines)
    snap_req = [r for r in reqs if r["method"] == "POST" and r["path"] == f"/collections/{name}/snapshots"]
    assert snap_req and snap_req[0]["status"] == "200" and float(snap_req[0]["duration_ms"]) >= 0
    assert any(r["status"] == "404" and r["path"].endswith("missing.snapshot") for r in reqs)
    assert created and created[0]["name"] == desc["name"] and int(created[0]["bytes"]) == desc["size"]
    assert int(created[0]["duration_ms"]) >= 0


def test_bad_log_format_is_a_config_error(server_factory):
    srv = server_factory(start=False, args=["--log-format", "xml"])
    r = subprocess.run(srv.command(6399), capture_output=True, timeout=30)
    assert r.returncode == 78 and b"logger.format" in r.stderr


def test_failed_create_leaves_no_output_file_and_storage_beats_qdb_url(tmp_path):
    import os
    where = ["--storage", str(tmp_path / "s"), "--snapshots-path", str(tmp_path / "snaps")]
    out = tmp_path / "nope.snapshot"
    r = run(["shard", "snapshot", "create", "nope", "--shard", "0", "-o", str(out), *where])
    assert r.returncode == 66 and not out.exists()  # nothing a cron job could take for a backup
    # An explicit --storage stays offline even with QDB_URL set (an unreachable one here).
    env = dict(os.environ, QDB_URL="http://127.0.0.1:9")
    r = subprocess.run([QDB_BIN, "snapshot", "list", "nope", *where], capture_output=True, timeout=60, env=env)
    assert r.returncode == 66, r.stderr  # not 69 (unavailable): it never tried the URL
    r = subprocess.run([QDB_BIN, "snapshot", "list", "nope"], capture_output=True, timeout=60, env=env, cwd=tmp_path)
    assert r.returncode == 69  # without --storage, QDB_URL is the target
