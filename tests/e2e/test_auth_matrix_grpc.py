"""Auth matrix over gRPC (Qdrant's port 6334 API): every RPC qdb serves × no key, wrong key
(api-key metadata and Bearer), read-only key (both forms), full key, as Qdrant decides
(`src/tonic/auth.rs`: UNAUTHENTICATED without a valid key, PERMISSION_DENIED for a write with the
read-only key, `qdrant.Qdrant/HealthCheck` open). A refused write changes nothing.

The RPCs come from `proto/*.proto` (the files qdb's gRPC code is generated from), and each is
probed on the server, so an RPC added there without a row in `MATRIX` fails this test."""

from __future__ import annotations

import re
from pathlib import Path

import grpc
import pytest
from qdrant_client import grpc as g

from grpc_helpers import raw_call, shard_recover_request, shard_request
from qdb_helpers import create_collection, ok, unique, upsert

ADMIN = "grpc-matrix-admin"
RO = "grpc-matrix-ro"
PROTO_DIR = Path(__file__).resolve().parents[2] / "proto"


def proto_methods() -> set[str]:
    """Every `package.Service/Method` declared in proto/*.proto."""
    methods = set()
    for path in PROTO_DIR.glob("*.proto"):
        text = re.sub(r"//[^\n]*", "", path.read_text())
        package = re.search(r"^\s*package\s+([\w.]+)\s*;", text, re.M).group(1)
        for service, body in re.findall(r"service\s+(\w+)\s*\{(.*?)\n\}", text, re.S):
            for method in re.findall(r"\brpc\s+(\w+)\s*\(", body):
                methods.add(f"{package}.{service}/{method}")
    return methods


def ids(*n: int):
    return g.PointsSelector(points=g.PointsIdsList(ids=[g.PointId(num=i) for i in n]))


def matrix(c: str, doomed: str, snap: str, shard_snap: str, full: str) -> dict[str, tuple[str, bytes]]:
    """RPC → (access "open"|"read"|"write", serialized request)."""
    s = lambda m: m.SerializeToString()  # noqa: E731
    near = g.Query(nearest=g.VectorInput(dense=g.DenseVector(data=[1, 1])))
    return {
        "qdrant.Qdrant/HealthCheck": ("open", s(g.HealthCheckRequest())),
        "qdrant.Collections/Get": ("read", s(g.GetCollectionInfoRequest(collection_name=c))),
        "qdrant.Collections/List": ("read", s(g.ListCollectionsRequest())),
        "qdrant.Collections/CollectionExists": ("read", s(g.CollectionExistsRequest(collection_name=c))),
        "qdrant.Collections/Create": ("write", s(g.CreateCollection(
            collection_name=unique("gnew"),
            vectors_config=g.VectorsConfig(params=g.VectorParams(size=2, distance=g.Distance.Dot))))),
        "qdrant.Collections/Delete": ("write", s(g.DeleteCollection(collection_name=doomed))),
        "qdrant.Points/Get": ("read", s(g.GetPoints(collection_name=c, ids=[g.PointId(num=1)]))),
        "qdrant.Points/Scroll": ("read", s(g.ScrollPoints(collection_name=c))),
        "qdrant.Points/Count": ("read", s(g.CountPoints(collection_name=c))),
        "qdrant.Points/Search": ("read", s(g.SearchPoints(collection_name=c, vector=[1, 1], limit=1))),
        "qdrant.Points/Query": ("read", s(g.QueryPoints(collection_name=c, query=near, limit=1))),
        "qdrant.Points/QueryBatch": ("read", s(g.QueryBatchPoints(
            collection_name=c, query_points=[g.QueryPoints(collection_name=c, query=near, limit=1)]))),
        "qdrant.Points/QueryGroups": ("read", s(g.QueryPointGroups(collection_name=c, query=near, group_by="i", limit=1))),
        "qdrant.Points/Facet": ("read", s(g.FacetCounts(collection_name=c, key="i"))),
        "qdrant.Points/Upsert": ("write", s(g.UpsertPoints(collection_name=c, wait=True, points=[
            g.PointStruct(id=g.PointId(num=9), vectors=g.Vectors(vector=g.Vector(data=[1, 1])))]))),
        "qdrant.Points/Delete": ("write", s(g.DeletePoints(collection_name=c, wait=True, points=ids(2)))),
        "qdrant.Points/SetPayload": ("write", s(g.SetPayloadPoints(
            collection_name=c, wait=True, payload={"a": g.Value(integer_value=1)}, points_selector=ids(1)))),
        "qdrant.Points/OverwritePayload": ("write", s(g.SetPayloadPoints(
            collection_name=c, wait=True, payload={"a": g.Value(integer_value=2)}, points_selector=ids(1)))),
        "qdrant.Points/DeletePayload": ("write", s(g.DeletePayloadPoints(
            collection_name=c, wait=True, keys=["i"], points_selector=ids(1)))),
        "qdrant.Points/ClearPayload": ("write", s(g.ClearPayloadPoints(collection_name=c, wait=True, points=ids(3)))),
        "qdrant.Points/SearchBatch": ("read", s(g.SearchBatchPoints(
            collection_name=c, search_points=[g.SearchPoints(collection_name=c, vector=[1, 1], limit=1)]))),
        "qdrant.Points/SearchGroups": ("read", s(g.SearchPointGroups(
            collection_name=c, vector=[1, 1], group_by="i", limit=1, group_size=1))),
        "qdrant.Points/Recommend": ("read", s(g.RecommendPoints(collection_name=c, positive=[g.PointId(num=1)], limit=1))),
        "qdrant.Points/RecommendBatch": ("read", s(g.RecommendBatchPoints(collection_name=c, recommend_points=[
            g.RecommendPoints(collection_name=c, positive=[g.PointId(num=1)], limit=1)]))),
        "qdrant.Points/RecommendGroups": ("read", s(g.RecommendPointGroups(
            collection_name=c, positive=[g.PointId(num=1)], group_by="i", limit=1, group_size=1))),
        "qdrant.Points/Discover": ("read", s(g.DiscoverPoints(
            collection_name=c, target=g.TargetVector(single=g.VectorExample(id=g.PointId(num=1))), limit=1))),
        "qdrant.Points/DiscoverBatch": ("read", s(g.DiscoverBatchPoints(collection_name=c, discover_points=[g.DiscoverPoints(
            collection_name=c, target=g.TargetVector(single=g.VectorExample(id=g.PointId(num=1))), limit=1)]))),
        "qdrant.Points/SearchMatrixPairs": ("read", s(g.SearchMatrixPoints(collection_name=c, sample=2, limit=1))),
        "qdrant.Points/SearchMatrixOffsets": ("read", s(g.SearchMatrixPoints(collection_name=c, sample=2, limit=1))),
        "qdrant.Points/UpdateBatch": ("write", s(g.UpdateBatchPoints(collection_name=c, wait=True, operations=[
            g.PointsUpdateOperation(clear_payload=g.PointsUpdateOperation.ClearPayload(points=ids(1)))]))),
        "qdrant.Points/CreateFieldIndex": ("write", s(g.CreateFieldIndexCollection(
            collection_name=c, wait=True, field_name="i", field_type=g.FieldType.FieldTypeInteger))),
        "qdrant.Points/DeleteFieldIndex": ("write", s(g.DeleteFieldIndexCollection(collection_name=c, wait=True, field_name="nope"))),
        "qdrant.Points/UpdateVectors": ("write", s(g.UpdatePointVectors(collection_name=c, wait=True, points=[
            g.PointVectors(id=g.PointId(num=1), vectors=g.Vectors(vector=g.Vector(dense=g.DenseVector(data=[1, 1]))))]))),
        "qdrant.Points/DeleteVectors": ("write", s(g.DeletePointVectors(
            collection_name=c, wait=True, points_selector=ids(7), vectors=g.VectorsSelector(names=[""])))),
        "qdrant.Points/CreateVectorName": ("write", s(g.CreateVectorNameRequest(
            collection_name=c, wait=True, vector_name="gv", sparse_config=g.SparseVectorCreationConfig()))),
        "qdrant.Points/DeleteVectorName": ("write", s(g.DeleteVectorNameRequest(collection_name=c, wait=True, vector_name="nope"))),
        "qdrant.Collections/Update": ("write", s(g.UpdateCollection(collection_name=c))),
        "qdrant.Collections/UpdateAliases": ("write", s(g.ChangeAliases(actions=[g.AliasOperations(
            create_alias=g.CreateAlias(collection_name=c, alias_name=unique("galias")))]))),
        "qdrant.Collections/ListCollectionAliases": ("read", s(g.ListCollectionAliasesRequest(collection_name=c))),
        "qdrant.Collections/ListAliases": ("read", s(g.ListAliasesRequest())),
        "qdrant.Snapshots/List": ("read", s(g.ListSnapshotsRequest(collection_name=c))),
        "qdrant.Snapshots/ListFull": ("read", s(g.ListFullSnapshotsRequest())),
        "qdrant.Snapshots/Create": ("write", s(g.CreateSnapshotRequest(collection_name=c))),
        "qdrant.Snapshots/Delete": ("write", s(g.DeleteSnapshotRequest(collection_name=c, snapshot_name=snap))),
        "qdrant.Snapshots/CreateFull": ("write", s(g.CreateFullSnapshotRequest())),
        "qdrant.Snapshots/DeleteFull": ("write", s(g.DeleteFullSnapshotRequest(snapshot_name=full))),
        "qdrant.ShardSnapshots/List": ("read", shard_request(c)),
        "qdrant.ShardSnapshots/Create": ("write", shard_request(c)),
        "qdrant.ShardSnapshots/Delete": ("write", shard_request(c, 0, shard_snap)),
        "qdrant.ShardSnapshots/Recover": ("write", shard_recover_request(c, 0, shard_snap)),
    }


KEYS = [
    ("none", []),
    ("wrong header", [("api-key", "wrong")]),
    ("wrong bearer", [("authorization", "Bearer wrong")]),
    ("read-only header", [("api-key", RO)]),
    ("read-only bearer", [("authorization", f"Bearer {RO}")]),
    ("full header", [("api-key", ADMIN)]),
    ("full bearer", [("authorization", f"Bearer {ADMIN}")]),
]


def expected(access: str, key: str) -> str:
    if access == "open" or key.startswith("full"):
        return "allowed"
    if key.startswith(("none", "wrong")):
        return "UNAUTHENTICATED"
    return "allowed" if access == "read" else "PERMISSION_DENIED"


@pytest.fixture(scope="module")
def setup(module_server_factory):
    srv = module_server_factory(api_key=ADMIN, read_only_api_key=RO)
    admin = srv.api(api_key=ADMIN)
    c, doomed = unique("gm"), unique("gdoomed")
    create_collection(admin, c, size=2, distance="Dot")
    upsert(admin, c, points=[{"id": i, "vector": [i, 1], "payload": {"i": i}} for i in range(1, 4)])
    create_collection(admin, doomed, size=2, distance="Dot")
    snap = ok(admin.post(f"/collections/{c}/snapshots"))["name"]
    shard_snap = ok(admin.post(f"/collections/{c}/shards/0/snapshots"))["name"]
    full = ok(admin.post("/snapshots"))["name"]
    channel = grpc.insecure_channel(f"127.0.0.1:{srv.grpc_port}")
    yield srv, admin, channel, (c, doomed, snap, shard_snap, full)
    channel.close()


def call(channel, method: str, request: bytes, metadata) -> str:
    """The outcome of one raw unary call: "allowed" or the status code's name when refused
    for auth (any other error means auth let it through)."""
    try:
        raw_call(channel, method, request, metadata)
        return "allowed"
    except grpc.RpcError as e:
        code = e.code()
        if code in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNIMPLEMENTED):
            assert e.details(), (method, code)
            return code.name
        return "allowed"


def state(admin, c: str) -> dict:
    """Everything a write RPC of the matrix could change, read over REST with the full key."""
    points = ok(admin.post(f"/collections/{c}/points/scroll", json={"limit": 100, "with_vector": True}))["points"]
    return {
        "collections": sorted(x["name"] for x in ok(admin.get("/collections"))["collections"]),
        "points": sorted((p["id"], repr(p["payload"]), repr(p["vector"])) for p in points),
        "snapshots": sorted(x["name"] for x in ok(admin.get(f"/collections/{c}/snapshots"))),
        "shard_snapshots": sorted(x["name"] for x in ok(admin.get(f"/collections/{c}/shards/0/snapshots"))),
        "full": sorted(x["name"] for x in ok(admin.get("/snapshots"))),
    }


def test_every_served_rpc_has_a_matrix_row(setup):
    srv, admin, channel, names = setup
    declared = proto_methods()
    table = matrix(*names)
    assert len(declared) >= 30, sorted(declared)
    assert set(table) == declared, (
        f"RPCs without a matrix row: {sorted(declared - set(table))}; rows for no RPC: {sorted(set(table) - declared)}")
    # Served, not merely declared: without a key every RPC but the open ones is refused by auth,
    # and a method the server does not have is UNIMPLEMENTED (so the probe can tell them apart).
    assert call(channel, "qdrant.Points/NoSuchMethod", b"", []) == "UNIMPLEMENTED"
    for method, (access, request) in sorted(table.items()):
        got = call(channel, method, request, [])
        assert got == ("allowed" if access == "open" else "UNAUTHENTICATED"), (method, got)


def test_grpc_auth_matrix(setup):
    srv, admin, channel, names = setup
    c = names[0]
    table = matrix(*names)
    before = state(admin, c)
    wrong = []
    # Refused keys first: they must change nothing; then the full keys, whose writes do.
    for key, metadata in KEYS:
        if key == "full header":
            assert state(admin, c) == before, "a refused write changed something"
        for method, (access, request) in sorted(table.items()):
            got, want = call(channel, method, request, metadata), expected(access, key)
            if got != want:
                wrong.append(f"{key:17} {method}: got {got} want {want}")
    assert not wrong, "\n".join(wrong)
    assert state(admin, c) != before, "the full key's writes changed nothing (the matrix tests nothing)"
    assert srv.running()
