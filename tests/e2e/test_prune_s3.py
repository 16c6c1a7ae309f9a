"""`qdb prune` on an S3 prefix (moto, IAM auth on): the same keep rules as on disk, under a lease
object (`<prefix>/snapshots/.qdb-lease`) with holder, fencing token and TTL. A second prune
exits 75 naming the live holder; a SIGKILLed holder's lease is taken over once it expired; a
holder whose lease was taken over stops before its next delete."""

import json
import os
import signal
import subprocess
import time

import pytest

from qdb_helpers import QDB_BIN, clean_env, run_qdb
from s3_helpers import Moto


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    m = Moto(tmp_path_factory.mktemp("moto-prune"))
    yield m
    m.stop()


def seed(moto, bucket, coll, n):
    names = []
    for i in range(n):
        name = f"{coll}-1-2026-0{1 + i // 28}-{1 + i % 28:02d}-03-00-00.snapshot"
        key = f"b/snapshots/{coll}/{name}"
        moto.s3.put_object(Bucket=bucket, Key=key, Body=b"x" * 20)
        moto.s3.put_object(Bucket=bucket, Key=key + ".checksum", Body=b"0" * 64)
        names.append(name)
    return names


def snapshots(moto, bucket, coll):
    return sorted(k.rsplit("/", 1)[1] for k in moto.keys(bucket, f"b/snapshots/{coll}/") if k.endswith(".snapshot"))


def prune(moto, bucket, *extra, ms=0):
    env = clean_env({**moto.aws_env(), "QDB_FAILPOINT_PRUNE_DELETE_MS": str(ms)})
    return subprocess.Popen([QDB_BIN, "prune", "c", "--snapshots-path", f"s3://{bucket}/b", "--keep-last", "2", *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def lease(moto, bucket):
    try:
        return json.loads(moto.s3.get_object(Bucket=bucket, Key="b/snapshots/.qdb-lease")["Body"].read())
    except moto.s3.exceptions.NoSuchKey:
        return None


def wait_lease(moto, bucket, pid, timeout=20):
    deadline = time.monotonic() + timeout
    while (lease(moto, bucket) or {}).get("holder", {}).get("pid") != pid:
        assert time.monotonic() < deadline, "the first prune never took the lease"
        time.sleep(0.05)


def test_prune_on_s3_keeps_by_the_rules_and_releases_the_lease(moto):
    bucket = moto.bucket()
    names = seed(moto, bucket, "c", 6)
    r = run_qdb(["prune", "c", "--snapshots-path", f"s3://{bucket}/b", "--keep-last", "2", "--dry-run", "--json"],
                env=moto.aws_env())
    assert r.returncode == 0, r.stderr
    kept = sorted(d["name"] for d in json.loads(r.stdout) if d["keep"])
    assert kept == names[-2:]
    assert snapshots(moto, bucket, "c") == names
    r = run_qdb(["prune", "c", "--snapshots-path", f"s3://{bucket}/b", "--keep-last", "2"], env=moto.aws_env())
    assert r.returncode == 0, r.stderr
    assert snapshots(moto, bucket, "c") == names[-2:]
    assert all(k.endswith((".snapshot", ".checksum")) for k in moto.keys(bucket, "b/snapshots/c/"))
    assert len(moto.keys(bucket, "b/snapshots/c/")) == 4  # no orphaned .checksum objects
    assert lease(moto, bucket) is None
    r = run_qdb(["prune", "--snapshots-path", f"s3://{bucket}/b", "--keep-last", "2"], env=moto.aws_env())
    assert r.returncode == 64 and "name the collections" in r.stderr


def test_live_lease_holder_gives_75(moto):
    bucket = moto.bucket()
    seed(moto, bucket, "c", 5)
    first = prune(moto, bucket, ms=4000)
    try:
        wait_lease(moto, bucket, first.pid)
        record = lease(moto, bucket)
        assert record["token"] and record["expires_at"] > time.time()
        second = run_qdb(["prune", "c", "--snapshots-path", f"s3://{bucket}/b", "--keep-last", "2"], env=moto.aws_env())
        assert second.returncode == 75, second.stderr
        assert f"pid {first.pid}" in second.stderr
        assert first.wait(30) == 0, first.stderr.read()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert len(snapshots(moto, bucket, "c")) == 2


def test_sigkilled_holders_lease_is_taken_over_after_its_ttl(moto):
    bucket = moto.bucket()
    seed(moto, bucket, "c", 5)
    holder = prune(moto, bucket, "--lease-ttl", "2", ms=60000)
    wait_lease(moto, bucket, holder.pid)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert lease(moto, bucket)["holder"]["pid"] == holder.pid  # a dead holder's lease stays…
    r = run_qdb(["prune", "c", "--snapshots-path", f"s3://{bucket}/b", "--keep-last", "2", "--lock-wait", "10"],
                env=moto.aws_env(), timeout=40)
    assert r.returncode == 0, r.stderr  # …until it expires, then it is taken over
    assert len(snapshots(moto, bucket, "c")) == 2


def test_a_holder_that_lost_its_lease_stops_before_deleting(moto):
    bucket = moto.bucket()
    names = seed(moto, bucket, "c", 5)
    holder = prune(moto, bucket, ms=3000)
    wait_lease(moto, bucket, holder.pid)
    time.sleep(1.0)  # past its settle-and-read-back: it holds the lease and waits to delete
    record = lease(moto, bucket)
    record["token"] = "someone-else"
    record["holder"]["pid"] = 1
    moto.s3.put_object(Bucket=bucket, Key="b/snapshots/.qdb-lease", Body=json.dumps(record).encode())
    assert holder.wait(30) == 75
    assert "lost the lease" in holder.stderr.read()
    assert snapshots(moto, bucket, "c") == names  # the fencing check ran before the first delete
    assert lease(moto, bucket)["token"] == "someone-else"  # and it did not remove the other's lease


def test_a_schedule_to_s3_makes_verifies_and_prunes(moto, server_factory):
    from qdb_helpers import create_collection, ok, upsert
    bucket = moto.bucket()
    config = moto.config(bucket) + ("    schedules:\n      - name: s3every\n        collections: [s3c]\n"
                                    "        every: 1s\n        verify: true\n        keep: {keep_last: 2}\n")
    srv = server_factory(config_text=config)
    api = srv.api()
    create_collection(api, "s3c", size=4)
    upsert(api, "s3c", points=[{"id": i, "vector": [1.0, 0.0, 2.0, float(i)]} for i in range(30)])
    deadline = time.monotonic() + 40
    while True:
        done = [o for o in ok(api.get("/operations")) if o["collection"] == "s3c" and o["phase"] == "succeeded"]
        if len(done) >= 4:
            break
        assert time.monotonic() < deadline, srv.log_tail()
        time.sleep(0.2)
    srv.stop()  # no run changes the bucket while it is inspected
    keys = [k for k in moto.keys(bucket, "snapshots/s3c/") if k.endswith(".snapshot")]
    assert len(keys) == 2, keys
    log = "".join(p.read_text() for p in srv.root.glob("server-*.log"))
    assert log.count("scheduled snapshots done") >= 4
    # each kept snapshot has its verification record object; the pruned ones left none behind
    objects = moto.keys(bucket, "snapshots/s3c/")
    for k in keys:
        record = json.loads(objects[k + ".verification.json"])
        assert record["ok"] and record["deep"] and record["sha256"] == objects[k + ".checksum"].decode()
    assert len(objects) == 3 * len(keys), sorted(objects)


def test_prune_on_s3_keeps_the_newest_verified(moto):
    bucket = moto.bucket()
    names = seed(moto, bucket, "c", 4)
    key = f"b/snapshots/c/{names[0]}"
    record = {"ok": True, "deep": True, "verified_at": "2026-01-01T00:00:00Z", "qdb_version": "x", "sha256": "0" * 64}
    moto.s3.put_object(Bucket=bucket, Key=key + ".verification.json", Body=json.dumps(record).encode())
    r = run_qdb(["prune", "c", "--snapshots-path", f"s3://{bucket}/b", "--keep-last", "1", "--json"], env=moto.aws_env())
    assert r.returncode == 0, r.stderr
    d = {x["name"]: x for x in json.loads(r.stdout)}
    assert d[names[0]]["reasons"] == ["newest-verified"] and d[names[-1]]["reasons"] == ["last"]
    assert snapshots(moto, bucket, "c") == [names[0], names[-1]]
