"""S3 snapshot storage (`snapshots_storage: s3`) against a real moto_server with auth enforced:
every snapshot route on S3, s3:// recovery, wrong credentials, a missing bucket, name
traversal, checksum round trips, and uploads that fail or are killed midway."""

import hashlib
import os
import signal
import time

import pytest

from qdb_helpers import count, create_collection, err, ok, unique, upsert
from s3_helpers import Moto


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    m = Moto(tmp_path_factory.mktemp("moto"))
    yield m
    m.stop()


def fill(api, name, n=40, shards=1):
    create_collection(api, name, size=2, distance="Dot", shard_number=shards)
    upsert(api, name, points=[{"id": i, "vector": [i, 1], "payload": {"i": i}} for i in range(n)])


def test_collection_snapshot_round_trip(moto, server_factory):
    bucket = moto.bucket()
    api = server_factory(config_text=moto.config(bucket)).api()
    name = unique("s3c")
    fill(api, name)
    desc = ok(api.post(f"/collections/{name}/snapshots"))
    key = f"snapshots/{name}/{desc['name']}"
    objects = moto.keys(bucket)
    assert set(objects) == {key, key + ".checksum"}
    # The .checksum object is the SHA-256 of the object as stored: 64 lowercase hex, no newline.
    assert objects[key + ".checksum"] == hashlib.sha256(objects[key]).hexdigest().encode()
    assert desc["checksum"] == objects[key + ".checksum"].decode() and desc["size"] == len(objects[key])
    listed = ok(api.get(f"/collections/{name}/snapshots"))
    assert listed == [desc] and desc["creation_time"]

    r = api.get(f"/collections/{name}/snapshots/{desc['name']}")
    assert r.status_code == 200 and r.content == objects[key]

    # Recover by stored name (streamed from S3 into the unpacker) brings deleted points back.
    ok(api.post(f"/collections/{name}/points/delete?wait=true", json={"points": list(range(20))}))
    assert count(api, name) == 20
    assert ok(api.put(f"/collections/{name}/snapshots/recover",
                      json={"location": desc["name"], "checksum": desc["checksum"]})) is True
    assert count(api, name) == 40
    # From an s3:// location with the seed's ACCESS:SECRET api_key, into a new collection.
    body = {"location": f"s3://{bucket}/{key}", "api_key": f"{moto.access_key}:{moto.secret_key}"}
    assert ok(api.put(f"/collections/{name}_copy/snapshots/recover", json=body)) is True
    assert count(api, f"{name}_copy") == 40
    # A wrong expected checksum is refused and changes nothing.
    err(api.put(f"/collections/{name}_bad/snapshots/recover",
                json={"location": f"s3://{bucket}/{key}", "checksum": "0" * 64}), 400)
    assert not ok(api.get(f"/collections/{name}_bad/exists"))["exists"]

    assert ok(api.delete(f"/collections/{name}/snapshots/{desc['name']}")) is True
    assert moto.keys(bucket) == {}
    err(api.delete(f"/collections/{name}/snapshots/{desc['name']}"), 404)
    err(api.get(f"/collections/{name}/snapshots/{desc['name']}"), 404)
    assert ok(api.get(f"/collections/{name}/snapshots")) == []


def test_shard_and_full_snapshots(moto, server_factory):
    bucket = moto.bucket()
    api = server_factory(config_text=moto.config(bucket)).api()
    name = unique("s3s")
    fill(api, name, n=60, shards=2)
    shard = ok(api.post(f"/collections/{name}/shards/1/snapshots"))
    coll = ok(api.post(f"/collections/{name}/snapshots"))
    full = ok(api.post("/snapshots"))
    skey = f"snapshots/{name}/shards/1/{shard['name']}"
    objects = moto.keys(bucket)
    assert set(objects) == {skey, skey + ".checksum", f"snapshots/{name}/{coll['name']}",
                            f"snapshots/{name}/{coll['name']}.checksum",
                            f"snapshots/{full['name']}", f"snapshots/{full['name']}.checksum"}
    for k, v in objects.items():
        if not k.endswith(".checksum"):
            assert objects[k + ".checksum"] == hashlib.sha256(v).hexdigest().encode(), k
    # Each scope lists only its own snapshots (no shards/ subtree in the collection's list).
    assert [d["name"] for d in ok(api.get(f"/collections/{name}/shards/1/snapshots"))] == [shard["name"]]
    assert ok(api.get(f"/collections/{name}/shards/0/snapshots")) == []
    assert [d["name"] for d in ok(api.get(f"/collections/{name}/snapshots"))] == [coll["name"]]
    assert [d["name"] for d in ok(api.get("/snapshots"))] == [full["name"]]
    assert api.get(f"/collections/{name}/shards/1/snapshots/{shard['name']}").content == objects[skey]
    assert api.get(f"/snapshots/{full['name']}").content == objects[f"snapshots/{full['name']}"]

    ok(api.post(f"/collections/{name}/points/delete?wait=true", json={"points": list(range(60))}))
    assert ok(api.put(f"/collections/{name}/shards/1/snapshots/recover", json={"location": shard["name"]})) is True
    restored = count(api, name)
    assert 0 < restored < 60  # shard 1's points only
    # A collection snapshot is refused on a shard route, from s3:// too.
    err(api.put(f"/collections/{name}/shards/0/snapshots/recover",
                json={"location": f"s3://{bucket}/snapshots/{name}/{coll['name']}"}), 400)

    assert ok(api.delete(f"/collections/{name}/shards/1/snapshots/{shard['name']}")) is True
    assert ok(api.delete(f"/snapshots/{full['name']}")) is True
    assert set(moto.keys(bucket)) == {f"snapshots/{name}/{coll['name']}", f"snapshots/{name}/{coll['name']}.checksum"}


def test_wrong_credentials_store_nothing_and_leak_nothing(moto, server_factory):
    bucket = moto.bucket()
    secret = "WRONGwrongWRONGwrongWRONGwrongWRONGwrong"
    srv = server_factory(config_text=moto.config(bucket, secret=secret))
    api = srv.api()
    name = unique("s3w")
    fill(api, name)
    msg = err(api.post(f"/collections/{name}/snapshots"), 400)
    assert "refused" in msg and "SignatureDoesNotMatch" in msg, msg
    msg2 = err(api.get(f"/collections/{name}/snapshots"), 400)
    for text in (msg, msg2, srv.log_tail(100000)):
        assert secret not in text
    assert moto.keys(bucket) == {} and moto.pending_uploads(bucket) == []

    # Recovery from s3:// with a wrong api_key: refused, nothing created.
    good = server_factory(config_text=moto.config(bucket)).api()
    fill(good, name)
    desc = ok(good.post(f"/collections/{name}/snapshots"))
    location = f"s3://{bucket}/snapshots/{name}/{desc['name']}"
    msg = err(api.put("/collections/other/snapshots/recover",
                      json={"location": location, "api_key": f"{moto.access_key}:{secret}"}), 400)
    assert secret not in msg and "refused" in msg
    assert not ok(api.get("/collections/other/exists"))["exists"]
    err(api.put("/collections/other/snapshots/recover", json={"location": location, "api_key": "no-colon"}), 400)


def test_missing_bucket(moto, server_factory):
    api = server_factory(config_text=moto.config("qdb-no-such-bucket")).api()
    name = unique("s3m")
    fill(api, name)
    msg = err(api.post(f"/collections/{name}/snapshots"), 400)
    assert "qdb-no-such-bucket" in msg and "does not exist" in msg
    err(api.get(f"/collections/{name}/snapshots"), 400)
    err(api.put("/collections/x/snapshots/recover", json={"location": "s3://qdb-no-such-bucket/k.snapshot"}), 400)


def test_name_traversal_reaches_no_other_key(moto, server_factory):
    bucket = moto.bucket()
    api = server_factory(config_text=moto.config(bucket)).api()
    name = unique("s3t")
    fill(api, name)
    victim = "snapshots/other/secret.snapshot"
    moto.s3.put_object(Bucket=bucket, Key=victim, Body=b"do not touch")
    moto.s3.put_object(Bucket=bucket, Key="secret.snapshot", Body=b"root object")
    # (A literal ".." segment is resolved by the HTTP client before sending, so only encoded forms.)
    for bad in ["..%2Fother%2Fsecret.snapshot", "%2E%2E", "a%2F..%2F..%2Fsecret.snapshot",
                "..%5Csecret.snapshot", "%2Fsecret.snapshot"]:
        err(api.get(f"/collections/{name}/snapshots/{bad}"), 404)
        err(api.delete(f"/collections/{name}/snapshots/{bad}"), 404)
        err(api.get(f"/collections/{name}/shards/0/snapshots/{bad}"), 404)
        err(api.get(f"/snapshots/{bad}"), 404)
    for bad in ["../other/secret.snapshot", "..", "../../secret.snapshot"]:
        err(api.put(f"/collections/{name}/snapshots/recover", json={"location": bad}), 404)
        err(api.put(f"/collections/{name}/shards/0/snapshots/recover", json={"location": bad}), 404)
    assert moto.keys(bucket) == {victim: b"do not touch", "secret.snapshot": b"root object"}


def big_collection(api, name):
    """About 15 MB of payload, so a snapshot spans several 5 MiB parts. The payloads are random
    (gridstore stores them LZ4-compressed: a repeated string would shrink to nothing)."""
    create_collection(api, name, size=2, distance="Dot")
    for start in range(0, 5000, 500):
        upsert(api, name, points=[{"id": i, "vector": [i, 1], "payload": {"b": os.urandom(1500).hex(), "i": i}}
                                  for i in range(start, start + 500)])


def test_failed_upload_is_aborted(moto, server_factory):
    """Part 2 fails: the multipart upload is aborted, so no object, no part and no .checksum is
    left, and no local temp file either."""
    bucket = moto.bucket()
    srv = server_factory(config_text=moto.config(bucket, part_size_mb=5),
                         env={"QDB_FAILPOINT_S3_FAIL_PART": "2"})
    api = srv.api()
    name = unique("s3f")
    big_collection(api, name)
    msg = err(api.post(f"/collections/{name}/snapshots"), 503)
    assert "part 2" in msg
    assert moto.keys(bucket) == {} and moto.pending_uploads(bucket) == []
    assert not (srv.snapshots / "tmp").exists() or list((srv.snapshots / "tmp").iterdir()) == []
    assert ok(api.get(f"/collections/{name}/snapshots")) == []


def test_server_killed_mid_upload(moto, server_factory):
    """kill -9 during a multipart upload: no object appears (S3 shows nothing until the upload
    completes), but the killed process cannot abort its upload, so its parts stay pending until
    the next start aborts them. No local copy of the archive exists at any time."""
    bucket = moto.bucket()
    srv = server_factory(config_text=moto.config(bucket, part_size_mb=5),
                         env={"QDB_FAILPOINT_S3_AFTER_PART_MS": "3000"})
    api = srv.api()
    name = unique("s3k")
    big_collection(api, name)
    assert api.post(f"/collections/{name}/snapshots?wait=false").status_code == 202
    deadline = time.monotonic() + 60
    while not moto.pending_uploads(bucket):
        assert time.monotonic() < deadline, "no multipart upload started"
        time.sleep(0.1)
    upload = moto.pending_uploads(bucket)[0]
    parts = moto.s3.list_parts(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]).get("Parts", [])
    deadline = time.monotonic() + 30
    while not parts:
        assert time.monotonic() < deadline
        time.sleep(0.1)
        parts = moto.s3.list_parts(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]).get("Parts", [])
    # Nothing local holds the archive while it streams.
    snapshot_files = [p for p in srv.root.rglob("*") if p.is_file() and ".snapshot" in p.name]
    assert snapshot_files == []
    os.kill(srv.pid, signal.SIGKILL)
    srv.proc.wait(timeout=30)
    assert moto.keys(bucket) == {}
    assert len(moto.pending_uploads(bucket)) == 1  # what a kill -9 cannot clean up itself
    srv.env.pop("QDB_FAILPOINT_S3_AFTER_PART_MS")
    srv.start()
    assert moto.pending_uploads(bucket) == [] and moto.keys(bucket) == {}
    assert ok(srv.api().get(f"/collections/{name}/snapshots")) == []
