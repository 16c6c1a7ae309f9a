"""Shard snapshots (stored and live) and full-storage snapshots over REST and qdrant-client."""

import hashlib
import tarfile
import io

from qdrant_client import QdrantClient

from qdb_helpers import count, create_collection, err, ok, scroll_all, unique, upsert


def fill(api, name, shards=2, n=80):
    create_collection(api, name, size=3, distance="Cosine", shard_number=shards)
    upsert(api, name, points=[{"id": i, "vector": [i + 1, 1, 0], "payload": {"i": i}} for i in range(n)])


def state(api, name):
    return [(p["id"], p["vector"], p["payload"]) for p in scroll_all(api, name, with_vector=True)]


def test_shard_snapshot_round_trip(api, qdb):
    name = unique("shard")
    fill(api, name)
    want = state(api, name)
    desc = ok(api.post(f"/collections/{name}/shards/1/snapshots"))
    assert desc["name"].startswith(f"{name}-shard-1-")
    assert [d["name"] for d in ok(api.get(f"/collections/{name}/shards/1/snapshots"))] == [desc["name"]]
    assert ok(api.get(f"/collections/{name}/shards/0/snapshots")) == []
    blob = api.get(f"/collections/{name}/shards/1/snapshots/{desc['name']}").content
    assert hashlib.sha256(blob).hexdigest() == desc["checksum"]
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        names = t.getnames()
    assert "shard.json" in names and names[-1] == "qdb.json" and not any(n.startswith("1/") for n in names)

    # Change points in both shards, then recover shard 1 by stored name: shard 1 is back, shard 0 keeps its changes.
    ok(api.post(f"/collections/{name}/points/delete?wait=true", json={"points": list(range(0, 80, 2))}))
    remaining = {p[0] for p in state(api, name)}
    assert ok(api.put(f"/collections/{name}/shards/1/snapshots/recover", json={"location": desc["name"]})) is True
    after = {p[0] for p in state(api, name)}
    assert remaining < after <= {p[0] for p in want}
    # The restored shard-1 points are exactly the snapshot's.
    restored = after - remaining
    assert restored and all(p in {w[0] for w in want} for p in restored)

    # Upload route too; a collection snapshot is refused on the shard route.
    r = api.post(f"/collections/{name}/shards/1/snapshots/upload", files={"snapshot": ("s.snapshot", blob)})
    assert r.status_code == 200 and r.json()["result"] is None
    coll = api.get(f"/collections/{name}/snapshots/{ok(api.post(f'/collections/{name}/snapshots'))['name']}").content
    err(api.post(f"/collections/{name}/shards/1/snapshots/upload", files={"snapshot": ("c.snapshot", coll)}), 400)
    err(api.get(f"/collections/{name}/shards/7/snapshots"), 404)
    err(api.put(f"/collections/{name}/shards/1/snapshots/recover", json={"location": "../../x.snapshot"}), 404)
    err(api.put(f"/collections/{name}/shards/1/snapshots/recover", json={"location": "file:///etc/passwd"}), 400)
    ok(api.delete(f"/collections/{name}/shards/1/snapshots/{desc['name']}"))


def test_live_shard_stream_is_a_valid_shard_snapshot(api):
    name = unique("live")
    fill(api, name, shards=1, n=30)
    r = api.get(f"/collections/{name}/shards/0/snapshot")
    assert r.status_code == 200 and "content-length" not in {k.lower() for k in r.headers}
    with tarfile.open(fileobj=io.BytesIO(r.content)) as t:
        assert t.getnames()[-1] == "qdb.json"
    ok(api.post(f"/collections/{name}/points/delete?wait=true", json={"points": [1, 2, 3]}))
    r2 = api.post(f"/collections/{name}/shards/0/snapshots/upload", files={"snapshot": ("live.snapshot", r.content)})
    assert r2.status_code == 200
    assert count(api, name) == 30
    err(api.get(f"/collections/{name}/shards/3/snapshot"), 404)


def test_full_snapshot_via_qdrant_client(qdb):
    client = QdrantClient(url=qdb.url, prefer_grpc=False, timeout=60)
    api = qdb.api()
    a, b = unique("fa"), unique("fb")
    fill(api, a, shards=1, n=10)
    fill(api, b, shards=2, n=20)
    ok(api.post("/collections/aliases", json={"actions": [{"create_alias": {"collection_name": a, "alias_name": a + "_alias"}}]}))
    snap = client.create_full_snapshot(wait=True)
    assert snap.name.startswith("full-snapshot-") and snap.checksum
    assert snap.name in [s.name for s in client.list_full_snapshots()]
    blob = api.get(f"/snapshots/{snap.name}").content
    assert hashlib.sha256(blob).hexdigest() == snap.checksum
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        names = t.getnames()
        config = t.extractfile("config.json").read().decode()
    assert a in config and b in config and a + "_alias" in config and names[-1] == "qdb.json"
    # Stored collection snapshots are not consumed (Qdrant moves them away).
    assert ok(api.get(f"/collections/{a}/snapshots")) == []
    assert client.delete_full_snapshot(snapshot_name=snap.name, wait=True)
    assert client.list_full_snapshots() == []
    err(api.get("/snapshots/..%2Fx"), 404)


def test_shard_snapshot_methods_via_qdrant_client(qdb):
    client = QdrantClient(url=qdb.url, prefer_grpc=False, timeout=60)
    api = qdb.api()
    name = unique("qs")
    fill(api, name, shards=2, n=20)
    snap = client.create_shard_snapshot(collection_name=name, shard_id=0, wait=True)
    assert snap.name in [s.name for s in client.list_shard_snapshots(collection_name=name, shard_id=0)]
    assert client.delete_shard_snapshot(collection_name=name, shard_id=0, snapshot_name=snap.name, wait=True)
    assert client.list_shard_snapshots(collection_name=name, shard_id=0) == []


def test_full_snapshot_restores_at_startup(server_factory):
    srv = server_factory()
    api = srv.api()
    a = unique("sa")
    fill(api, a, shards=2, n=25)
    ok(api.post("/collections/aliases", json={"actions": [{"create_alias": {"collection_name": a, "alias_name": "al_" + a}}]}))
    want = state(api, a)
    snap = ok(api.post("/snapshots"))
    path = srv.snapshots / snap["name"]
    ok(api.delete(f"/collections/{a}"))
    srv.stop()
    srv.args = ["--storage-snapshot", str(path)]
    srv.start()
    api = srv.api()
    assert state(api, a) == want
    assert count(api, "al_" + a) == 25
    srv.stop()
    # Existing collections need --force-snapshot.
    import subprocess
    from qdb_helpers import QDB_BIN
    r = subprocess.run([QDB_BIN, "serve", "--storage", str(srv.storage), "--snapshots-path", str(srv.snapshots),
                        "--http-port", "1", "--storage-snapshot", str(path)], capture_output=True, timeout=60)
    assert r.returncode == 73 and b"already exists" in r.stderr
