"""Long snapshot operations are registered (GET/DELETE /operations): wait=false still answers
Qdrant's 202 (qdrant-client unchanged) plus an id in `Location` and `operation_id`; progress can
be followed; a cancelled create lists nothing and a cancelled upload leaves the collection as it
was. The CLI side: `snapshot create --no-wait` and `qdb operation list|status --follow|cancel`."""

import json
import time

import pytest
from qdrant_client import QdrantClient

from qdb_helpers import count, create_collection, err, ok, run_qdb, scroll_all, unique, upsert
from upload_helpers import HalfSentUpload

BOUNDARY = "qdbopstest"


def filled(api, n=300, dim=8):
    name = unique("ops")
    create_collection(api, name, size=dim, distance="Dot")
    upsert(api, name, points=[{"id": i, "vector": [float(i % 11)] * dim, "payload": {"i": i}} for i in range(n)])
    return name


def wait_finished(api, op_id, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        info = ok(api.get(f"/operations/{op_id}"))
        if info["phase"] != "running":
            return info
        assert time.monotonic() < deadline, f"operation {op_id} still running: {info}"
        time.sleep(0.05)


def leftovers(srv):
    tmp = srv.snapshots / "tmp"
    return [p.name for p in tmp.iterdir()] if tmp.exists() else []


def test_wait_false_answers_202_with_location_and_id(qdb):
    api = qdb.api()
    name = filled(api)
    r = api.post(f"/collections/{name}/snapshots?wait=false")
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["status"] == "accepted" and isinstance(body["time"], float)
    op_id = body["operation_id"]
    assert r.headers["Location"] == f"/operations/{op_id}"
    info = wait_finished(api, op_id)
    assert info["phase"] == "succeeded", info
    assert info["kind"] == "create_collection_snapshot" and info["collection"] == name
    assert info["bytes_done"] > 0 and info["finished_at"] and info["started_at"]
    listed = ok(api.get(f"/collections/{name}/snapshots"))
    assert [s["name"] for s in listed] == [info["result"]["name"]]
    assert info["result"]["size"] == info["bytes_done"]
    assert op_id in [o["id"] for o in ok(api.get("/operations"))]
    # wait=true answers are registered too, with the same Location header
    r = api.post(f"/collections/{name}/snapshots?wait=true")
    assert r.status_code == 200 and r.headers["Location"].startswith("/operations/")
    assert ok(api.get(r.headers["Location"]))["phase"] == "succeeded"


def test_qdrant_client_unchanged_with_wait_false(qdb):
    api = qdb.api()
    name = filled(api)
    client = QdrantClient(url=qdb.url, prefer_grpc=False, timeout=60)
    assert client.create_snapshot(collection_name=name, wait=False) is None
    deadline = time.monotonic() + 30
    while not client.list_snapshots(name):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert client.create_full_snapshot(wait=False) is None
    ops = ok(api.get("/operations"))
    assert {"create_collection_snapshot", "create_full_snapshot"} <= {o["kind"] for o in ops}


def test_unknown_operation_is_404_and_finished_one_cannot_be_cancelled(qdb):
    api = qdb.api()
    assert "not found" in err(api.get("/operations/nope"), 404).lower()
    err(api.delete("/operations/nope"), 404)
    name = filled(api, n=10)
    r = api.post(f"/collections/{name}/snapshots?wait=true")
    op_id = r.headers["Location"].rsplit("/", 1)[1]
    assert "finished" in err(api.delete(f"/operations/{op_id}"), 409)


def test_cancel_mid_create_lists_nothing(server_factory):
    # every chunk the archive writer emits pauses 300 ms, so the create is cancelled mid-way
    srv = server_factory(env={"QDB_FAILPOINT_OPERATION_CHUNK_MS": "300"})
    api = srv.api()
    name = filled(api, n=20000, dim=64)
    r = api.post(f"/collections/{name}/snapshots?wait=false")
    op_id = r.json()["operation_id"]
    deadline = time.monotonic() + 30
    while ok(api.get(f"/operations/{op_id}"))["bytes_done"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    cancelled = ok(api.delete(f"/operations/{op_id}"))
    assert cancelled["cancel_requested"] is True
    info = wait_finished(api, op_id)
    assert info["phase"] == "cancelled", info
    assert "cancelled" in info["error"]
    assert ok(api.get(f"/collections/{name}/snapshots")) == []
    assert leftovers(srv) == []
    assert not list((srv.snapshots / name).glob("*")) if (srv.snapshots / name).exists() else True


def test_cancel_mid_upload_leaves_the_collection_as_it_was(qdb):
    api = qdb.api()
    source = filled(api, n=2000, dim=32)
    desc = ok(api.post(f"/collections/{source}/snapshots"))
    blob = api.get(f"/collections/{source}/snapshots/{desc['name']}").content
    target = filled(api, n=7)
    before = scroll_all(api, target)
    with HalfSentUpload(f"{api.base}/collections/{target}/snapshots/upload?wait=true", blob) as upload:
        deadline = time.monotonic() + 20
        while True:
            ops = [o for o in ok(api.get("/operations")) if o["kind"] == "upload_recover"
                   and o["collection"] == target and o["phase"] == "running"]
            if ops and ops[0]["bytes_done"] > 0:
                break
            assert time.monotonic() < deadline, "no running upload operation"
            time.sleep(0.05)
        op_id = ops[0]["id"]
        # follow it from the CLI while it runs, then cancel from the CLI
        status = run_qdb(["operation", "status", op_id, "--url", qdb.url, "--json"])
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["phase"] == "running"
        cancel = run_qdb(["operation", "cancel", op_id, "--url", qdb.url])
        assert cancel.returncode == 0, cancel.stderr
        assert op_id in cancel.stdout
    assert "cancelled" in err(upload.response, 409)
    info = wait_finished(api, op_id)
    assert info["phase"] == "cancelled"
    assert scroll_all(api, target) == before
    follow = run_qdb(["operation", "status", op_id, "--url", qdb.url, "--follow"])
    assert follow.returncode == 130, follow.stderr


def test_cli_no_wait_prints_the_id_and_follow_ends_with_it(qdb):
    api = qdb.api()
    name = filled(api)
    r = run_qdb(["snapshot", "create", name, "--url", qdb.url, "--no-wait"])
    assert r.returncode == 0, r.stderr
    op_id = r.stdout.strip()
    f = run_qdb(["operation", "status", op_id, "--url", qdb.url, "--follow", "--progress", "json", "--json"])
    assert f.returncode == 0, f.stderr
    info = json.loads(f.stdout)
    assert info["phase"] == "succeeded" and info["id"] == op_id
    events = [json.loads(line) for line in f.stderr.splitlines() if line.startswith("{")]
    assert events and events[-1]["event"] == "done"
    listed = run_qdb(["operation", "list", "--url", qdb.url, "--json"])
    assert op_id in [o["id"] for o in json.loads(listed.stdout)]
    offline = run_qdb(["snapshot", "create", name, "--no-wait", "--storage", str(qdb.root / "none")])
    assert offline.returncode == 64
    assert "--url" in offline.stderr
    no_server = run_qdb(["operation", "list"])
    assert no_server.returncode == 64


def test_operations_need_a_key_to_cancel(server_factory):
    srv = server_factory(api_key="admin", read_only_api_key="ro")
    admin, ro = srv.api(), srv.api(api_key="ro")
    name = filled(admin, n=10)
    r = admin.post(f"/collections/{name}/snapshots?wait=true")
    op_id = r.headers["Location"].rsplit("/", 1)[1]
    assert ok(ro.get("/operations")) and ok(ro.get(f"/operations/{op_id}"))["phase"] == "succeeded"
    err(ro.delete(f"/operations/{op_id}"), 403)
    err(srv.api(api_key=None).get("/operations"), 401)


def test_recover_from_is_an_operation_with_progress(server_factory):
    primary, replica = server_factory(), server_factory()
    p, r = primary.api(), replica.api()
    create_collection(p, "pull", size=4, distance="Dot")
    create_collection(r, "pull", size=4, distance="Dot")
    upsert(p, "pull", points=[{"id": i, "vector": [i, 1, 0, 0]} for i in range(200)])
    res = r.post("/collections/pull/shards/0/snapshot/partial/recover_from", json={"peer_url": primary.url})
    assert ok(res) is True
    info = ok(r.get(res.headers["Location"]))
    assert info["kind"] == "recover_from" and info["phase"] == "succeeded" and info["shard_id"] == 0
    assert info["bytes_done"] > 0  # the download and the recovery were counted
    assert count(r, "pull") == 200
