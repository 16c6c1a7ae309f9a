"""The dashboard's status with an S3 snapshot store (moto_server, auth enforced): each snapshot
says where it is stored, shards are listed, and a refresh of unchanged snapshots costs one LIST
per scope — the `.checksum` and `.verification.json` objects are fetched again only when a
LIST shows them new or changed (before, every refresh fetched them for every snapshot)."""

from __future__ import annotations

import json
import re
import time

import pytest

from qdb_helpers import create_collection, ok, unique, upsert
from s3_helpers import Moto


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    root = tmp_path_factory.mktemp("moto")
    m = Moto(root)
    m.root = root
    yield m
    m.stop()


def requests_since(moto, start):
    """The S3 requests moto logged after byte offset `start` of its log, and the new offset."""
    moto.log.flush()
    text = (moto.root / "moto.log").read_bytes()
    lines = re.findall(r'"(GET|PUT|POST|DELETE|HEAD) (\S+) HTTP', text[start:].decode(errors="replace"))
    return lines, len(text)


def status(api, name):
    st = ok(api.get("/dashboard/status"))["backups"]
    return st, next(c for c in st["collections"] if c["name"] == name)


def test_s3_status_is_per_snapshot_and_cached(moto, server_factory):
    bucket = moto.bucket()
    api = server_factory(config_text=moto.config(bucket)).api()
    name = unique("dss3")
    create_collection(api, name, size=2, distance="Dot", shard_number=2)
    upsert(api, name, points=[{"id": i, "vector": [i, 1]} for i in range(20)])
    snaps = []
    for _ in range(3):
        snaps.append(ok(api.post(f"/collections/{name}/snapshots")))
        time.sleep(1.1)  # names carry the second
    shard = ok(api.post(f"/collections/{name}/shards/1/snapshots"))
    full = ok(api.post("/snapshots"))
    newest = snaps[-1]
    key = f"snapshots/{name}/{newest['name']}"
    record = {"ok": True, "deep": False, "verified_at": "2026-01-01T00:00:00Z", "qdb_version": "test",
              "sha256": newest["checksum"], "error": None}
    moto.s3.put_object(Bucket=bucket, Key=key + ".verification.json", Body=json.dumps(record).encode())

    st, row = status(api, name)
    assert st["store"] == "s3"
    assert [s["name"] for s in row["snapshots"]] == [s["name"] for s in reversed(snaps)]
    assert all(s["location"] == "s3" for s in row["snapshots"])
    assert [s["verified"] for s in row["snapshots"]] == [True, False, False] and row["stale"] is False
    assert [s["checksum"] for s in row["snapshots"]] == [s["checksum"] for s in reversed(snaps)]
    assert [(s["shard_id"], [x["name"] for x in s["snapshots"]]) for s in row["shards"]] == [(0, []), (1, [shard["name"]])]
    assert row["shards"][1]["snapshots"][0]["location"] == "s3" and row["shards"][1]["snapshots"][0]["checksum"] == shard["checksum"]
    assert [(x["name"], x["checksum"], x["location"]) for x in st["full_snapshots"]] == [(full["name"], full["checksum"], "s3")]

    # a second refresh of the same snapshots: LISTs only, no object fetched again
    _, start = requests_since(moto, 0)
    status(api, name)
    reqs, start = requests_since(moto, start)
    assert reqs, "moto logged no request: the count below would prove nothing"
    gets = [p for m, p in reqs if m == "GET" and "list-type=2" not in p]
    assert gets == [], f"objects fetched again: {gets}"
    scopes = 1 + 2 + 1  # the collection, its two shards and full storage (no schedule prunes here)
    assert len(reqs) <= scopes + 1, reqs

    # a changed verification record is seen on the next refresh (the LIST shows a new size)
    record["ok"] = False
    record["error"] = "checksum mismatch"
    moto.s3.put_object(Bucket=bucket, Key=key + ".verification.json", Body=json.dumps(record).encode())
    _, row = status(api, name)
    assert [s["verified"] for s in row["snapshots"]] == [False, False, False] and row["stale"] is True
    reqs, _ = requests_since(moto, start)
    fetched = [p for m, p in reqs if m == "GET" and "list-type=2" not in p]
    assert len(fetched) == 1 and fetched[0].endswith(".verification.json"), fetched
