"""The gRPC API (Qdrant's port 6334 API) with the official qdrant-client, prefer_grpc=True,
against a real `qdb serve`: the seed flow (collections, points, collection, full and shard
snapshots), REST and gRPC views of the same data agree, errors carry Qdrant's gRPC codes with
REST's messages, and API keys work over gRPC metadata."""

from __future__ import annotations

import hashlib
import signal
import socket

import grpc
import pytest
import requests
from qdrant_client import QdrantClient, grpc as qgrpc, models

from grpc_helpers import shard_recover_request, shard_request
from qdb_helpers import Api, err, free_port, ok, unique

DIM = 4

# The keyed servers below are plaintext on loopback, as every e2e server here.
pytestmark = pytest.mark.filterwarnings("ignore:Api key is used with an insecure connection")


def grpc_client(srv, api_key: str | None = None) -> QdrantClient:
    return QdrantClient(host="127.0.0.1", port=srv.port, grpc_port=srv.grpc_port, prefer_grpc=True,
                        https=False, api_key=api_key, timeout=60, check_compatibility=False)


@pytest.fixture(scope="module")
def client(qdb):
    c = grpc_client(qdb)
    yield c
    c.close()


# -- Qdrant's ShardSnapshots service is not in qdrant-client; its requests are written in
# -- grpc_helpers from the field numbers of Qdrant's shard_snapshots_service.proto, and the responses are the
# -- snapshot messages qdrant-client has (qdrant.CreateSnapshotResponse, ListSnapshotsResponse).

class ShardSnapshots:
    def __init__(self, srv, metadata=()):
        self.channel = grpc.insecure_channel(f"127.0.0.1:{srv.grpc_port}")
        self.metadata = list(metadata)

    def call(self, method: str, request: bytes, response_type):
        rpc = self.channel.unary_unary(f"/qdrant.ShardSnapshots/{method}",
                                       response_deserializer=response_type.FromString)
        return rpc(request, metadata=self.metadata, timeout=60)

    def create(self, c, shard):
        return self.call("Create", shard_request(c, shard), qgrpc.CreateSnapshotResponse).snapshot_description

    def list(self, c, shard):
        return list(self.call("List", shard_request(c, shard), qgrpc.ListSnapshotsResponse).snapshot_descriptions)

    def delete(self, c, shard, name):
        return self.call("Delete", shard_request(c, shard, name), qgrpc.DeleteSnapshotResponse)

    def recover(self, c, shard, name):
        return self.call("Recover", shard_recover_request(c, shard, name), qgrpc.DeleteSnapshotResponse)

    def close(self):
        self.channel.close()


def described(d) -> tuple:
    """(name, size, checksum) of a qdrant-client SnapshotDescription or a REST dict."""
    if isinstance(d, dict):
        return d["name"], d["size"], d.get("checksum")
    return d.name, d.size, d.checksum


def rest_view(api: Api, path: str) -> list[tuple]:
    return sorted(described(d) for d in ok(api.get(path)))


def sha256_of_download(api: Api, path: str) -> str:
    r = api.get(path, stream=True)
    assert r.status_code == 200, r.text
    h = hashlib.sha256()
    for chunk in r.iter_content(1 << 20):
        h.update(chunk)
    return h.hexdigest()


def seed_points(n: int = 30) -> list[models.PointStruct]:
    return [models.PointStruct(id=i, vector=[float(i % 7), float(i % 5) + 1, float(i % 3), 1.0],
                               payload={"n": i, "even": i % 2 == 0, "tag": f"t{i % 4}", "f": i / 4})
            for i in range(1, n + 1)]


def test_seed_flow_collection_and_points(client, api):
    name = unique("grpc")
    assert client.create_collection(name, vectors_config=models.VectorParams(size=DIM, distance=models.Distance.COSINE))
    assert client.collection_exists(name)
    assert name in [c.name for c in client.get_collections().collections]
    info = client.get_collection(name)
    assert info.config.params.vectors.size == DIM
    assert info.config.params.vectors.distance == models.Distance.COSINE

    result = client.upsert(name, points=seed_points(), wait=True)
    assert result.status == models.UpdateStatus.COMPLETED
    assert client.get_collection(name).points_count == 30

    # count / retrieve / scroll / query agree with REST on the same data.
    assert client.count(name, exact=True).count == ok(api.post(f"/collections/{name}/points/count", json={}))["count"] == 30
    flt = models.Filter(must=[models.FieldCondition(key="even", match=models.MatchValue(value=True))],
                        must_not=[models.FieldCondition(key="n", range=models.Range(gt=20))])
    rest_flt = {"must": [{"key": "even", "match": {"value": True}}], "must_not": [{"key": "n", "range": {"gt": 20}}]}
    assert client.count(name, count_filter=flt).count == ok(api.post(f"/collections/{name}/points/count", json={"filter": rest_flt}))["count"] == 10

    got = client.retrieve(name, ids=[3, 1, 99], with_vectors=True)
    rest = ok(api.post(f"/collections/{name}/points", json={"ids": [3, 1, 99], "with_vector": True}))
    assert [p.id for p in got] == [r["id"] for r in rest] == [3, 1]
    for g, r in zip(got, rest):
        assert g.payload == r["payload"]
        assert g.vector == pytest.approx(r["vector"], abs=1e-6)

    page, nxt = client.scroll(name, scroll_filter=flt, limit=4, with_payload=["tag"])
    rest = ok(api.post(f"/collections/{name}/points/scroll", json={"filter": rest_flt, "limit": 4, "with_payload": ["tag"]}))
    assert [p.id for p in page] == [r["id"] for r in rest["points"]] == [2, 4, 6, 8]
    assert [p.payload for p in page] == [r["payload"] for r in rest["points"]]
    assert nxt == rest["next_page_offset"] == 10

    query = [1.0, 2.0, 0.5, 1.0]
    hits = client.query_points(name, query=query, query_filter=flt, limit=5, with_payload=True).points
    rest = ok(api.post(f"/collections/{name}/points/query", json={"query": query, "filter": rest_flt, "limit": 5, "with_payload": True}))["points"]
    assert [h.id for h in hits] == [r["id"] for r in rest] and len(hits) == 5
    for h, r in zip(hits, rest):
        assert h.score == pytest.approx(r["score"], abs=1e-5)
        assert h.payload == r["payload"]
    by_id = client.query_points(name, query=2, limit=3).points
    assert [h.id for h in by_id] == [r["id"] for r in ok(api.post(f"/collections/{name}/points/query", json={"query": 2, "limit": 3}))["points"]]
    assert 2 not in [h.id for h in by_id]

    # Legacy Points/Search (no longer in qdrant-client's API; Go, Java, C# and Rust clients call it).
    res = client.grpc_points.Search(qgrpc.SearchPoints(
        collection_name=name, vector=query, limit=4, offset=1,
        filter=qgrpc.Filter(must=[qgrpc.Condition(field=qgrpc.FieldCondition(key="even", match=qgrpc.Match(boolean=True)))]),
        with_payload=qgrpc.WithPayloadSelector(enable=True)), timeout=60)
    rest = ok(api.post(f"/collections/{name}/points/search", json={
        "vector": query, "limit": 4, "offset": 1, "with_payload": True,
        "filter": {"must": [{"key": "even", "match": {"value": True}}]}}))
    assert [p.id.num for p in res.result] == [r["id"] for r in rest] and len(rest) == 4
    assert [p.score for p in res.result] == pytest.approx([r["score"] for r in rest], abs=1e-5)
    assert [p.payload["n"].integer_value for p in res.result] == [r["payload"]["n"] for r in rest]

    client.delete(name, points_selector=models.PointIdsList(points=[1, 2]), wait=True)
    client.delete(name, points_selector=models.FilterSelector(filter=models.Filter(must=[models.FieldCondition(key="tag", match=models.MatchValue(value="t3"))])), wait=True)
    assert client.count(name).count == ok(api.post(f"/collections/{name}/points/count", json={}))["count"] == 28 - 7

    # Payloads of every JSON type, and UUID ids, round-trip through gRPC's Value.
    pid = "5c56c793-69f3-4fbf-87e6-c4bf54c28c26"
    payload = {"s": "x", "i": -3, "big": 2**40, "f": 1.5, "b": False, "null": None, "list": [1, "a", {"k": [True]}], "obj": {"nested": {"x": 1}}}
    client.upsert(name, points=[models.PointStruct(id=pid, vector=[1, 0, 0, 0], payload=payload)], wait=True)
    assert client.retrieve(name, ids=[pid])[0].payload == payload == ok(api.get(f"/collections/{name}/points/{pid}"))["payload"]
    assert client.delete_collection(name)
    assert not client.collection_exists(name)


def test_seed_flow_snapshots_agree_with_rest(qdb, client, api):
    name = unique("grpcsnap")
    client.create_collection(name, vectors_config=models.VectorParams(size=DIM, distance=models.Distance.DOT))
    client.upsert(name, points=seed_points(12), wait=True)

    # Collection snapshots.
    first = client.create_snapshot(name)
    second = client.create_snapshot(name)
    assert first.name != second.name and first.name.startswith(f"{name}-") and first.name.endswith(".snapshot")
    listed = sorted(described(d) for d in client.list_snapshots(name))
    assert listed == rest_view(api, f"/collections/{name}/snapshots") == sorted([described(first), described(second)])
    for d in (first, second):
        assert len(d.checksum) == 64 and d.size > 0
        assert sha256_of_download(api, f"/collections/{name}/snapshots/{d.name}") == d.checksum
        assert d.creation_time  # a Timestamp, converted by the client
    rest_times = {d["name"]: d["creation_time"] for d in ok(api.get(f"/collections/{name}/snapshots"))}
    assert client.list_snapshots(name)[0].creation_time.startswith(rest_times[client.list_snapshots(name)[0].name])
    client.delete_snapshot(name, first.name)
    assert rest_view(api, f"/collections/{name}/snapshots") == [described(second)]
    assert [d.name for d in client.list_snapshots(name)] == [second.name]

    # Full-storage snapshots.
    full = client.create_full_snapshot()
    assert full.name.startswith("full-snapshot-")
    assert sorted(described(d) for d in client.list_full_snapshots()) == rest_view(api, "/snapshots")
    assert full.name in [d.name for d in client.list_full_snapshots()]
    assert sha256_of_download(api, f"/snapshots/{full.name}") == full.checksum
    client.delete_full_snapshot(full.name)
    assert full.name not in [d[0] for d in rest_view(api, "/snapshots")]

    # Shard snapshots (ShardSnapshots service), then recover the shard from a stored one.
    shards = ShardSnapshots(qdb)
    try:
        s1 = shards.create(name, 0)
        assert s1.name.startswith(f"{name}-shard-0-")
        assert sorted(described(d) for d in shards.list(name, 0)) == rest_view(api, f"/collections/{name}/shards/0/snapshots") == [described(s1)]
        assert sha256_of_download(api, f"/collections/{name}/shards/0/snapshots/{s1.name}") == s1.checksum
        client.upsert(name, points=[models.PointStruct(id=1000 + i, vector=[1, 1, 1, 1]) for i in range(5)], wait=True)
        assert client.count(name).count == 17
        shards.recover(name, 0, s1.name)
        assert client.count(name).count == 12 == ok(api.post(f"/collections/{name}/points/count", json={}))["count"]
        s2 = shards.create(name, 0)
        shards.delete(name, 0, s1.name)
        assert [d.name for d in shards.list(name, 0)] == [s2.name]
        with pytest.raises(grpc.RpcError) as e:
            shards.list(name, 7)
        assert e.value.code() == grpc.StatusCode.NOT_FOUND
        assert e.value.details() == err(api.get(f"/collections/{name}/shards/7/snapshots"), 404)
    finally:
        shards.close()


def test_errors_map_to_qdrant_codes_with_rest_messages(client, api):
    missing = unique("missing")
    with pytest.raises(grpc.RpcError) as e:
        client.get_collection(missing)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    assert e.value.details() == err(api.get(f"/collections/{missing}"), 404)

    name = unique("grpcerr")
    client.create_collection(name, vectors_config=models.VectorParams(size=DIM, distance=models.Distance.EUCLID))
    with pytest.raises(grpc.RpcError) as e:
        client.create_collection(name, vectors_config=models.VectorParams(size=DIM, distance=models.Distance.EUCLID))
    assert e.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert e.value.details() == err(api.put(f"/collections/{name}", json={"vectors": {"size": DIM, "distance": "Euclid"}}), 409)

    with pytest.raises(grpc.RpcError) as e:
        client.upsert(name, points=[models.PointStruct(id=1, vector=[1.0, 2.0])], wait=True)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert e.value.details() == err(api.put(f"/collections/{name}/points?wait=true", json={"points": [{"id": 1, "vector": [1.0, 2.0]}]}), 400)

    with pytest.raises(grpc.RpcError) as e:
        client.delete_snapshot(name, "nope.snapshot")
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    assert e.value.details() == err(api.delete(f"/collections/{name}/snapshots/nope.snapshot"), 404)

    with pytest.raises(grpc.RpcError) as e:
        client.create_snapshot(missing)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND

    # What qdb's schema lacks is refused, never silently ignored.
    with pytest.raises(grpc.RpcError) as e:
        client.create_collection(unique("quant"), vectors_config=models.VectorParams(
            size=2, distance=models.Distance.DOT,
            quantization_config=models.ScalarQuantization(scalar=models.ScalarQuantizationConfig(type=models.ScalarType.INT8))))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "field 4 of qdrant.VectorParams" in e.value.details()
    with pytest.raises(grpc.RpcError) as e:
        client.count(name, count_filter=models.Filter(must=[models.FieldCondition(
            key="loc", match=models.MatchSubstring(substring="x"))]))  # not in Qdrant 1.19
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "qdrant.Match" in e.value.details()
    assert client.count(name).count == 0


@pytest.fixture(scope="module")
def keyed(module_server_factory):
    return module_server_factory(api_key="admin-key", read_only_api_key="reader-key")


def test_auth_over_grpc(keyed):
    admin = grpc_client(keyed, api_key="admin-key")
    reader = grpc_client(keyed, api_key="reader-key")
    anonymous = grpc_client(keyed)
    wrong = grpc_client(keyed, api_key="wrong")
    rest_admin = keyed.api()
    try:
        name = unique("grpcauth")
        admin.create_collection(name, vectors_config=models.VectorParams(size=DIM, distance=models.Distance.DOT))
        admin.upsert(name, points=seed_points(3), wait=True)
        snap = admin.create_snapshot(name)

        for c, why in ((anonymous, Api(keyed)), (wrong, Api(keyed, api_key="wrong"))):
            for call in (lambda: c.get_collections(), lambda: c.list_snapshots(name), lambda: c.create_snapshot(name),
                         lambda: c.list_full_snapshots(), lambda: c.count(name)):
                with pytest.raises(grpc.RpcError) as e:
                    call()
                assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED
                assert e.value.details() == err(why.get("/collections"), 401)

        # The read-only key reads, and may not create or delete.
        assert reader.count(name).count == 3
        assert [d.name for d in reader.list_snapshots(name)] == [snap.name]
        reader.list_full_snapshots()
        for call in (lambda: reader.create_snapshot(name), lambda: reader.delete_snapshot(name, snap.name),
                     lambda: reader.create_full_snapshot(), lambda: reader.delete_full_snapshot("x.snapshot"),
                     lambda: reader.create_collection(unique("ro"), vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT)),
                     lambda: reader.upsert(name, points=seed_points(1)), lambda: reader.delete_collection(name)):
            with pytest.raises(grpc.RpcError) as e:
                call()
            assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
            assert e.value.details() == err(Api(keyed, api_key="reader-key").post("/snapshots"), 403)
        shards = ShardSnapshots(keyed, metadata=[("api-key", "reader-key")])
        try:
            with pytest.raises(grpc.RpcError) as e:
                shards.create(name, 0)
            assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
            assert shards.list(name, 0) == []
        finally:
            shards.close()
        assert [d.name for d in admin.list_snapshots(name)] == [snap.name]  # nothing was deleted

        # `authorization: Bearer` works as `api-key` does; the health check needs no key.
        bearer = ShardSnapshots(keyed, metadata=[("authorization", "Bearer admin-key")])
        try:
            assert bearer.create(name, 0).name.startswith(f"{name}-shard-0-")
        finally:
            bearer.close()
        assert anonymous.info().version == requests.get(keyed.url + "/", timeout=10).json()["version"]
        assert ok(rest_admin.get(f"/collections/{name}/snapshots"))[0]["name"] == snap.name
    finally:
        for c in (admin, reader, anonymous, wrong):
            c.close()


def test_grpc_port_config_disable_and_clean_shutdown(server_factory, tmp_path):
    # --grpc-port 0 disables gRPC; REST still serves.
    off = server_factory(args=["--grpc-port", "0"])
    assert ok(off.api().get("/collections")) == {"collections": []}
    assert "gRPC listening" not in off.log_tail()

    # service.grpc_port from the config file; SIGTERM stops both servers cleanly.
    grpc_port = free_port()
    srv = server_factory(config_text=f"service:\n  grpc_port: {grpc_port}\n")
    srv.grpc_port = grpc_port
    with grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as ch:
        grpc.channel_ready_future(ch).result(timeout=30)
    c = grpc_client(srv)
    name = unique("grpcstop")
    c.create_collection(name, vectors_config=models.VectorParams(size=DIM, distance=models.Distance.DOT))
    c.upsert(name, points=seed_points(5), wait=True)
    c.close()
    assert srv.stop(signal.SIGTERM) == 0
    assert "gRPC listening" in srv.log_tail()
    srv.start()
    assert ok(srv.api().post(f"/collections/{name}/points/count", json={}))["count"] == 5


def test_grpc_port_in_use_fails_startup(server_factory):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        taken = s.getsockname()[1]
        srv = server_factory(start=False, args=["--grpc-port", str(taken)])
        with pytest.raises(Exception) as e:
            srv.start(timeout=30)
        assert "in use" in str(e.value).lower()
