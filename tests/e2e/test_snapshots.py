"""Collection snapshots over REST: the seeds' curl flows and qdrant-client's snapshot methods."""

import hashlib
import os
import tarfile
import time

import pytest
from qdrant_client import QdrantClient

from qdb_helpers import (Api, count, create_collection, err, ok, scroll_all, unique, upsert)

ADMIN = "secret"
RO = "ro"


def fill(api, name, n=60):
    create_collection(api, name, size=4, distance="Dot")
    upsert(api, name, points=[{"id": i, "vector": [i, 1, 0, -1], "payload": {"i": i, "tag": f"t{i % 3}"}}
                              for i in range(n)])


def state(api, name):
    return [(p["id"], p["vector"], p["payload"]) for p in scroll_all(api, name, with_vector=True)]


def search(api, name):
    r = ok(api.post(f"/collections/{name}/points/query", json={"query": [1, 2, 3, 4], "limit": 5}))
    return [(p["id"], round(p["score"], 4)) for p in r["points"]]


def test_create_list_download_delete_round_trip(api, qdb):
    name = unique("snap")
    fill(api, name)
    desc = ok(api.post(f"/collections/{name}/snapshots"))
    assert desc["name"].startswith(f"{name}-") and desc["name"].endswith(".snapshot")
    assert len(desc["checksum"]) == 64 and desc["size"] > 0
    listed = ok(api.get(f"/collections/{name}/snapshots"))
    assert [d["name"] for d in listed] == [desc["name"]]

    r = api.get(f"/collections/{name}/snapshots/{desc['name']}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    assert hashlib.sha256(r.content).hexdigest() == desc["checksum"]
    assert int(r.headers["content-length"]) == desc["size"]
    part = api.get(f"/collections/{name}/snapshots/{desc['name']}", headers={"Range": "bytes=10-29"})
    assert part.status_code == 206 and part.content == r.content[10:30]
    assert part.headers["content-range"] == f"bytes 10-29/{desc['size']}"
    assert api.get(f"/collections/{name}/snapshots/{desc['name']}",
                   headers={"Range": f"bytes={desc['size'] + 5}-"}).status_code == 416

    # The archive is plain GNU tar in Qdrant's layout, with qdb.json last.
    path = qdb.snapshots / name / desc["name"]
    assert (qdb.snapshots / name / (desc["name"] + ".checksum")).read_text() == desc["checksum"]
    with tarfile.open(path) as t:
        names = t.getnames()
    assert names[:4] == ["version.info", "config.json", "payload_index.json", "shard_key_mapping.json"]
    assert names[-1] == "qdb.json" and "0/shard.json" in names

    ok(api.delete(f"/collections/{name}/snapshots/{desc['name']}"))
    assert ok(api.get(f"/collections/{name}/snapshots")) == []
    assert not path.exists() and not (qdb.snapshots / name / (desc["name"] + ".checksum")).exists()
    err(api.delete(f"/collections/{name}/snapshots/{desc['name']}"), 404)


def test_upload_and_recover_restore_same_state(api, qdb, tmp_path):
    name = unique("snap")
    fill(api, name)
    ok(api.post(f"/collections/{name}/points/delete?wait=true", json={"points": [3, 4]}))
    want, want_hits = state(api, name), search(api, name)
    desc = ok(api.post(f"/collections/{name}/snapshots"))
    blob = api.get(f"/collections/{name}/snapshots/{desc['name']}").content
    f = tmp_path / "x.snapshot"
    f.write_bytes(blob)

    # Upload into a new collection, as the seed's curl does (-F snapshot=@file).
    copy = unique("copy")
    with open(f, "rb") as fh:
        r = api.post(f"/collections/{copy}/snapshots/upload?priority=snapshot&checksum={desc['checksum']}",
                     files={"snapshot": ("x.snapshot", fh)})
    assert ok(r) is True
    assert state(api, copy) == want and search(api, copy) == want_hits

    # Change the source, then recover it from its own stored snapshot: back to the snapshot.
    upsert(api, name, points=[{"id": 999, "vector": [9, 9, 9, 9]}])
    ok(api.post(f"/collections/{name}/points/delete?wait=true", json={"points": [0]}))
    loc = f"file://{qdb.snapshots / name / desc['name']}"
    assert ok(api.put(f"/collections/{name}/snapshots/recover", json={"location": loc, "checksum": desc["checksum"]})) is True
    assert state(api, name) == want and search(api, name) == want_hits


def test_recover_errors_leave_collection_unchanged(api, qdb, tmp_path):
    name = unique("snap")
    fill(api, name, n=20)
    before = state(api, name)
    desc = ok(api.post(f"/collections/{name}/snapshots"))
    loc = f"file://{qdb.snapshots / name / desc['name']}"
    msg = err(api.put(f"/collections/{name}/snapshots/recover", json={"location": loc, "checksum": "0" * 64}), 400)
    assert "checksum mismatch" in msg.lower()
    err(api.put(f"/collections/{name}/snapshots/recover", json={"location": loc, "checksum": "abc"}), 422)
    err(api.put(f"/collections/{name}/snapshots/recover", json={"location": "file:///etc/passwd"}), 403)
    outside = tmp_path / "outside.snapshot"
    outside.write_bytes((qdb.snapshots / name / desc["name"]).read_bytes())
    err(api.put(f"/collections/{name}/snapshots/recover", json={"location": f"file://{outside}"}), 403)
    err(api.put(f"/collections/{name}/snapshots/recover", json={"location": "file:///no/such/file"}), 400)
    err(api.put(f"/collections/{name}/snapshots/recover", json={"location": loc, "priority": "bogus"}), 422)
    err(api.put(f"/collections/{name}/snapshots/recover", json={"location": "ftp://x/y"}), 400)
    # A corrupted copy inside the snapshots dir: refused by qdb.json's per-entry hashes.
    blob = bytearray((qdb.snapshots / name / desc["name"]).read_bytes())
    header = blob.find(b"/matrix.dat\x00")
    header -= header % 512
    blob[header + 512 + 40] ^= 0xFF  # inside the vectors' data, not a header
    bad = qdb.snapshots / name / "corrupt.snapshot"
    bad.write_bytes(bytes(blob))
    err(api.put(f"/collections/{name}/snapshots/recover", json={"location": f"file://{bad}"}), 400)
    for garbage in (b"", b"not a tar at all" * 100, bytes(blob[: len(blob) // 2])):
        bad.write_bytes(garbage)
        err(api.put(f"/collections/{name}/snapshots/recover", json={"location": f"file://{bad}"}), 400)
    assert state(api, name) == before
    assert not any(p.name.startswith("restore-") for p in (qdb.storage / "tmp").iterdir())


def test_snapshot_names_are_confined(api):
    name = unique("snap")
    fill(api, name, n=3)
    for bad in ["..%2F..%2Fetc%2Fpasswd", "%2E%2E", "%2Fetc%2Fpasswd", "x%00y"]:
        err(api.get(f"/collections/{name}/snapshots/{bad}"), 404)
        err(api.delete(f"/collections/{name}/snapshots/{bad}"), 404)
    err(api.get(f"/collections/{name}/snapshots/nope.snapshot"), 404)
    err(api.get("/collections/missing/snapshots"), 404)
    err(api.post("/collections/missing/snapshots"), 404)


def test_wait_false_accepts_and_finishes(api):
    name = unique("snap")
    fill(api, name, n=5)
    r = api.post(f"/collections/{name}/snapshots?wait=false")
    assert r.status_code == 202 and r.json()["status"] == "accepted" and "result" not in r.json()
    deadline = time.monotonic() + 20
    while not ok(api.get(f"/collections/{name}/snapshots")):
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_same_second_snapshots_do_not_overwrite(api):
    name = unique("snap")
    fill(api, name, n=5)
    names = {ok(api.post(f"/collections/{name}/snapshots"))["name"] for _ in range(3)}
    assert len(names) == 3
    assert {d["name"] for d in ok(api.get(f"/collections/{name}/snapshots"))} == names


def test_metrics_count_snapshots(api):
    name = unique("snap")
    fill(api, name, n=2)
    ok(api.post(f"/collections/{name}/snapshots"))
    text = api.get("/metrics").text
    assert f'snapshot_created_total{{id="{name}"}} 1' in text
    assert f'snapshot_creation_running{{id="{name}"}} 0' in text


def test_qdrant_client_snapshot_methods(qdb):
    client = QdrantClient(url=qdb.url, prefer_grpc=False, timeout=30)
    api = qdb.api()
    name = unique("qc")
    fill(api, name, n=25)
    want = state(api, name)
    snap = client.create_snapshot(collection_name=name, wait=True)
    assert snap.name in [s.name for s in client.list_snapshots(collection_name=name)]
    upsert(api, name, points=[{"id": 500, "vector": [1, 1, 1, 1]}])
    loc = f"file://{qdb.snapshots / name / snap.name}"
    assert client.recover_snapshot(collection_name=name, location=loc, checksum=snap.checksum, wait=True)
    assert state(api, name) == want
    assert client.delete_snapshot(collection_name=name, snapshot_name=snap.name, wait=True)
    assert client.list_snapshots(collection_name=name) == []


@pytest.fixture(scope="module")
def keyed(module_server_factory):
    return module_server_factory(api_key=ADMIN, read_only_api_key=RO)


def test_read_only_key_cannot_upload_or_recover(keyed, tmp_path):
    admin, ro = Api(keyed, api_key=ADMIN), Api(keyed, api_key=RO)
    name = unique("snap")
    fill(admin, name, n=5)
    desc = ok(admin.post(f"/collections/{name}/snapshots"))
    # Reads are allowed with the read-only key.
    assert [d["name"] for d in ok(ro.get(f"/collections/{name}/snapshots"))] == [desc["name"]]
    assert ro.get(f"/collections/{name}/snapshots/{desc['name']}").status_code == 200
    # Writes are not, and an upload is refused before its body is stored.
    err(ro.post(f"/collections/{name}/snapshots"), 403)
    err(ro.delete(f"/collections/{name}/snapshots/{desc['name']}"), 403)
    big = tmp_path / "big.snapshot"
    big.write_bytes(os.urandom(8 << 20))
    with open(big, "rb") as fh:
        r = ro.post(f"/collections/{name}/snapshots/upload", files={"snapshot": ("big.snapshot", fh)})
    assert r.status_code == 403
    tmp = keyed.snapshots / "tmp"
    assert not tmp.exists() or not any(tmp.iterdir())
    with open(big, "rb") as fh:
        r = Api(keyed).post(f"/collections/{name}/snapshots/upload", files={"snapshot": ("big.snapshot", fh)})
    assert r.status_code == 401


def test_kill_during_restore_leaves_previous_collection(server_factory):
    """The restore is paused (failpoint) after staging and verification, just before the swap,
    and the server is killed there: on restart the previous collection is intact and the staging
    directory is gone."""
    srv = server_factory(env={"QDB_FAILPOINT_RESTORE_BEFORE_SWAP_MS": "3000"})
    api = srv.api()
    name = unique("big")
    create_collection(api, name, size=16, distance="Dot")
    upsert(api, name, batch={"ids": list(range(3000)), "vectors": [[float(i % 7)] * 16 for i in range(3000)]})
    desc = ok(api.post(f"/collections/{name}/snapshots"))
    upsert(api, name, points=[{"id": 10**6, "vector": [1.0] * 16, "payload": {"after": True}}])
    before = [(p["id"], p["payload"]) for p in scroll_all(api, name)]
    loc = f"file://{srv.snapshots / name / desc['name']}"
    r = api.put(f"/collections/{name}/snapshots/recover?wait=false", json={"location": loc})
    assert r.status_code == 202
    deadline = time.monotonic() + 10
    staging = srv.storage / "tmp"
    while not any(p.name.startswith("restore-") for p in staging.iterdir()):
        assert time.monotonic() < deadline, "the restore never reached staging"
        time.sleep(0.02)
    time.sleep(0.5)  # staged and verified; now paused before the swap
    srv.kill()
    srv.env = {}
    srv.start()
    api = srv.api()
    assert [(p["id"], p["payload"]) for p in scroll_all(api, name)] == before
    assert not any(p.name.startswith("restore-") for p in (srv.storage / "tmp").iterdir())
    # Without the failpoint the same recovery completes.
    assert ok(api.put(f"/collections/{name}/snapshots/recover", json={"location": loc})) is True
    assert count(api, name) == 3000


def test_expect_continue_only_for_authorized_uploads(keyed, tmp_path):
    """curl -F sends `Expect: 100-continue` for large files; qdb answers 100 only to a request
    that will pass auth, so others get their 401/403 before sending any of the body."""
    import subprocess
    big = tmp_path / "big.snapshot"
    big.write_bytes(os.urandom(2 << 20))
    def trace(key):
        args = ["curl", "-sS", "-v", "-o", "/dev/null", "-X", "POST", "-F", f"snapshot=@{big}"]
        if key:
            args += ["-H", f"api-key: {key}"]
        r = subprocess.run(args + [f"{keyed.url}/collections/expect_c/snapshots/upload"],
                           capture_output=True, timeout=60)
        return r.stderr.decode()
    admin = trace(ADMIN)
    assert "Expect: 100-continue" in admin and "< HTTP/1.1 100 Continue" in admin
    assert "< HTTP/1.1 400" in admin  # random bytes: refused as an archive, after the body was read
    for key, status in ((RO, 403), (None, 401)):
        out = trace(key)
        assert "100 Continue" not in out and f"< HTTP/1.1 {status}" in out
