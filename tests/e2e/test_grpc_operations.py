"""gRPC snapshot creates and shard recoveries are operations like the REST ones: listed by
`GET /operations` with kind, collection, bytes and result; `DELETE /operations/{id}` cancels a
running one, and so does the client giving up on the call (deadline), leaving nothing half-made."""

from __future__ import annotations

import threading
import time

import grpc
import pytest
from qdrant_client import grpc as g

from grpc_helpers import raw_call, shard_recover_request, shard_request
from qdb_helpers import create_collection, ok, unique, upsert


def filled(api, n=300, dim=8):
    name = unique("gops")
    create_collection(api, name, size=dim, distance="Dot")
    for start in range(0, n, 5000):
        upsert(api, name, points=[{"id": i, "vector": [float(i % 11)] * dim, "payload": {"i": i}}
                                  for i in range(start, min(n, start + 5000))])
    return name


def create_call(kind: str, c: str) -> tuple[str, bytes]:
    if kind == "collection":
        return "qdrant.Snapshots/Create", g.CreateSnapshotRequest(collection_name=c).SerializeToString()
    if kind == "shard":
        return "qdrant.ShardSnapshots/Create", shard_request(c, 0)
    return "qdrant.Snapshots/CreateFull", g.CreateFullSnapshotRequest().SerializeToString()


def listed(api, kind: str, c: str) -> list:
    path = {"collection": f"/collections/{c}/snapshots", "shard": f"/collections/{c}/shards/0/snapshots",
            "full": "/snapshots"}[kind]
    return ok(api.get(path))


OP_KIND = {"collection": "create_collection_snapshot", "shard": "create_shard_snapshot", "full": "create_full_snapshot"}


def ops_of(api, kind: str) -> list[dict]:
    return [o for o in ok(api.get("/operations")) if o["kind"] == kind]


def test_grpc_creates_and_recover_are_listed_operations(qdb):
    api = qdb.api()
    c = filled(api)
    channel = grpc.insecure_channel(f"127.0.0.1:{qdb.grpc_port}")
    try:
        for kind in ("collection", "shard", "full"):
            method, request = create_call(kind, c)
            name = g.CreateSnapshotResponse.FromString(raw_call(channel, method, request)).snapshot_description.name
            [op] = [o for o in ops_of(api, OP_KIND[kind]) if (o.get("result") or {}).get("name") == name]
            assert op["phase"] == "succeeded", op
            assert op.get("collection") == (None if kind == "full" else c), op
            assert op["bytes_done"] > 0, op
            assert ok(api.get(f"/operations/{op['id']}"))["id"] == op["id"]
        [stored] = listed(api, "shard", c)
        raw_call(channel, "qdrant.ShardSnapshots/Recover", shard_recover_request(c, 0, stored["name"]))
        [op] = ops_of(api, "stored_recover")
        assert op["phase"] == "succeeded" and op["collection"] == c and op["shard_id"] == 0, op
        assert op["bytes_total"] == stored["size"] and op["bytes_done"] >= stored["size"], op
        # A refused request is refused before an operation is registered.
        with pytest.raises(grpc.RpcError) as e:
            raw_call(channel, "qdrant.ShardSnapshots/Recover", shard_recover_request(c, 0, "nope.snapshot"))
        assert e.value.code() == grpc.StatusCode.NOT_FOUND
        assert len(ops_of(api, "stored_recover")) == 1
    finally:
        channel.close()


def running_op(api, kind: str, timeout=30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        ops = [o for o in ops_of(api, kind) if o["phase"] == "running" and o["bytes_done"] > 0]
        if ops:
            return ops[0]
        assert time.monotonic() < deadline, ok(api.get("/operations"))
        time.sleep(0.05)


def finished(api, op_id, timeout=60) -> dict:
    deadline = time.monotonic() + timeout
    while (info := ok(api.get(f"/operations/{op_id}")))["phase"] == "running":
        assert time.monotonic() < deadline, info
        time.sleep(0.05)
    return info


def no_leftovers(srv) -> bool:
    tmp = srv.snapshots / "tmp"
    return not tmp.exists() or not any(tmp.iterdir())


@pytest.mark.parametrize("kind", ["collection", "shard", "full"])
def test_cancel_grpc_create_through_operations_lists_nothing(server_factory, kind):
    # every chunk the archive writer emits pauses 300 ms, so the create is cancelled mid-way
    srv = server_factory(env={"QDB_FAILPOINT_OPERATION_CHUNK_MS": "300"})
    api = srv.api()
    c = filled(api, n=20000, dim=64)
    channel = grpc.insecure_channel(f"127.0.0.1:{srv.grpc_port}")
    outcome = {}

    def create():
        try:
            raw_call(channel, *create_call(kind, c), timeout=120)
            outcome["code"] = grpc.StatusCode.OK
        except grpc.RpcError as e:
            outcome["code"], outcome["details"] = e.code(), e.details()

    worker = threading.Thread(target=create)
    worker.start()
    try:
        op = running_op(api, OP_KIND[kind])
        assert ok(api.delete(f"/operations/{op['id']}"))["cancel_requested"] is True
        worker.join(60)
        assert outcome.get("code") not in (None, grpc.StatusCode.OK), outcome
        assert "cancelled" in outcome["details"], outcome
        info = finished(api, op["id"])
        assert info["phase"] == "cancelled", info
        assert listed(api, kind, c) == []
        assert no_leftovers(srv)
        assert srv.running()
    finally:
        worker.join(60)
        channel.close()


def test_grpc_deadline_cancels_the_create(server_factory):
    srv = server_factory(env={"QDB_FAILPOINT_OPERATION_CHUNK_MS": "300"})
    api = srv.api()
    c = filled(api, n=20000, dim=64)
    channel = grpc.insecure_channel(f"127.0.0.1:{srv.grpc_port}")
    try:
        with pytest.raises(grpc.RpcError) as e:
            raw_call(channel, *create_call("collection", c), timeout=1.5)
        assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        [op] = ops_of(api, OP_KIND["collection"])
        info = finished(api, op["id"])
        assert info["phase"] == "cancelled", info
        assert listed(api, "collection", c) == []
        assert no_leftovers(srv)
    finally:
        channel.close()
