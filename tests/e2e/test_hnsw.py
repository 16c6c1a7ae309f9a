"""The HNSW index against Qdrant's own code (qdrant-edge-py 0.9.0 as the oracle):

1. a graph qdb built, carried by a shard snapshot, is loaded and walked by qdrant-edge, which then
   gives the same approximate answers (same graph, same ef) and the same recall;
2. a graph qdrant-edge built, restored into qdb, is searched from its files (byte-identical in
   qdb's segment, indexed_vectors_count right at once) with the same answers and recall;
3. kill -9 while the optimizer builds or swaps: the restart loads, nothing acknowledged is lost,
   and the optimizer finishes the index.
"""

from __future__ import annotations

import json
import struct
import time
from pathlib import Path

import numpy as np
import pytest
import qdrant_edge as qe

from qdb_helpers import err, ok, run_qdb, unique, wait_collection
from test_qdrant_edge_interop import edge_load, pack_shard, write_tar

N, DIM, K = 3000, 24, 10


def dataset(seed: int = 5):
    """Overlapping Gaussian clusters (hard enough that a small ef misses neighbours) and queries
    drawn from the same mixture; ground truth by exact numpy over normalized vectors."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(60, DIM))
    x = (centers[rng.integers(0, 60, N)] + rng.normal(size=(N, DIM)) * 0.9).astype(np.float32)
    q = (centers[rng.integers(0, 60, 60)] + rng.normal(size=(60, DIM)) * 0.9).astype(np.float32)
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    qn = q / np.linalg.norm(q, axis=1, keepdims=True)
    truth = np.argsort(-(qn @ xn.T), axis=1)[:, :K]
    return x, q, truth


def recall(found: list[list[int]], truth) -> float:
    return float(np.mean([len(set(f) & set(t.tolist())) / K for f, t in zip(found, truth)]))


def qdb_search(api, name, q, **params) -> list[int]:
    body = {"vector": q.tolist(), "limit": K}
    if params:
        body["params"] = params
    return [p["id"] for p in ok(api.post(f"/collections/{name}/points/search", json=body))]


def edge_search(shard, q, **params) -> list[int]:
    res = shard.query(qe.QueryRequest(limit=K, query=qe.Query.Nearest(q.tolist()), params=qe.SearchParams(**params)))
    return [p.id for p in res]


def wait_indexed(api, name, want: int, timeout: float = 180) -> dict:
    return wait_collection(api, name, timeout, every=0.3, indexed_vectors_count=want)


def create_indexed(api, name):
    ok(api.put(f"/collections/{name}", json={
        "vectors": {"size": DIM, "distance": "Cosine"},
        "optimizers_config": {"indexing_threshold": 1},
        "hnsw_config": {"full_scan_threshold": 10},  # KB: 106 vectors of 24-d, so the graph is used
    }))


def upsert_all(api, name, x):
    for s in range(0, N, 500):
        pts = [{"id": i, "vector": x[i].tolist(), "payload": {"b": i % 100}} for i in range(s, min(N, s + 500))]
        ok(api.put(f"/collections/{name}/points?wait=true", json={"points": pts}))


def overlap(a: list[list[int]], b: list[list[int]]) -> float:
    return float(np.mean([len(set(x) & set(y)) / K for x, y in zip(a, b)]))


def test_qdb_graph_is_walked_by_qdrant_edge(server_factory, tmp_path):
    x, q, truth = dataset()
    srv = server_factory()
    api = srv.api()
    name = unique("hnsw")
    create_indexed(api, name)
    upsert_all(api, name, x)
    wait_indexed(api, name, N)
    config = ok(api.get(f"/collections/{name}"))["config"]
    assert config["optimizer_config"]["indexing_threshold"] == 1 and config["hnsw_config"]["full_scan_threshold"] == 10

    qdb_default = [qdb_search(api, name, v) for v in q]
    qdb_low = [qdb_search(api, name, v, hnsw_ef=10) for v in q]
    assert recall(qdb_default, truth) >= 0.95
    assert recall(qdb_low, truth) < recall([qdb_search(api, name, v, exact=True) for v in q], truth) == 1.0

    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    blob = api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content
    shard = edge_load(blob, tmp_path)
    segs = [d for d in (tmp_path / "edge" / "segments").iterdir() if (d / "vector_index").is_dir()]
    assert segs and all((d / "vector_index" / "links_compressed.bin").exists() for d in segs)
    edge_default = [edge_search(shard, v) for v in q]
    edge_low = [edge_search(shard, v, hnsw_ef=10) for v in q]
    # Edge walks qdb's graph: the same approximate misses at a small ef, the same recall.
    assert overlap(edge_low, qdb_low) >= 0.97
    assert abs(recall(edge_default, truth) - recall(qdb_default, truth)) <= 0.02
    assert abs(recall(edge_low, truth) - recall(qdb_low, truth)) <= 0.03

    # A collection snapshot carries the graph with its digests: verify passes, and a restore
    # answers from the graph at once (the same approximate answers, nothing to rebuild).
    snap = ok(api.post(f"/collections/{name}/snapshots"))
    blob = api.get(f"/collections/{name}/snapshots/{snap['name']}").content
    (tmp_path / "c.snapshot").write_bytes(blob)
    v = run_qdb(["verify", str(tmp_path / "c.snapshot"), "--json"])
    assert v.returncode == 0, v.stdout + v.stderr
    copy = unique("hnswcopy")
    with (tmp_path / "c.snapshot").open("rb") as f:
        ok(api.post(f"/collections/{copy}/snapshots/upload?wait=true", files={"snapshot": ("c.snapshot", f)}))
    info = ok(api.get(f"/collections/{copy}"))
    assert info["indexed_vectors_count"] == N and info["status"] == "green"
    assert [qdb_search(api, copy, v, hnsw_ef=10) for v in q] == qdb_low


def test_edge_graph_is_searched_by_qdb_without_rebuild(server_factory, tmp_path):
    x, q, truth = dataset(seed=8)
    edge_dir = tmp_path / "edge-src"
    cfg = qe.EdgeConfig(vectors=qe.EdgeVectorParams(size=DIM, distance=qe.Distance.Cosine),
                        hnsw_config=qe.HnswIndexConfig(m=16, ef_construct=100, full_scan_threshold=10),
                        optimizers=qe.EdgeOptimizersConfig(indexing_threshold=1))
    shard = qe.EdgeShard.create(str(edge_dir), cfg)
    for s in range(0, N, 500):
        shard.update(qe.UpdateOperation.upsert_points([qe.Point(i, x[i].tolist(), {}) for i in range(s, min(N, s + 500))]))
    assert shard.optimize()
    shard.flush()
    edge_default = [edge_search(shard, v) for v in q]
    edge_low = [edge_search(shard, v, hnsw_ef=10) for v in q]
    edge_seg = next(d for d in (edge_dir / "segments").iterdir() if (d / "vector_index").is_dir())

    srv = server_factory()
    api = srv.api()
    name = unique("fromedge")
    ok(api.put(f"/collections/{name}", json={"vectors": {"size": DIM, "distance": "Cosine"},
                                            "hnsw_config": {"full_scan_threshold": 10}}))
    archive = write_tar(pack_shard(edge_dir), tmp_path / "edge.snapshot")
    with archive.open("rb") as f:
        ok(api.post(f"/collections/{name}/shards/0/snapshots/upload?wait=true", files={"snapshot": ("s.snapshot", f)}))
    # Indexed at once (nothing to build), from the very files edge wrote.
    info = ok(api.get(f"/collections/{name}"))
    assert info["indexed_vectors_count"] == N and info["status"] == "green"
    mine = srv.storage / "collections" / name / "0" / "segments" / edge_seg.name / "vector_index"
    for f in ["graph.bin", "links_compressed.bin", "hnsw_config.json"]:
        assert (mine / f).read_bytes() == (edge_seg / "vector_index" / f).read_bytes(), f
    qdb_default = [qdb_search(api, name, v) for v in q]
    qdb_low = [qdb_search(api, name, v, hnsw_ef=10) for v in q]
    assert overlap(qdb_low, edge_low) >= 0.97
    assert abs(recall(qdb_default, truth) - recall(edge_default, truth)) <= 0.02
    assert recall(qdb_low, truth) < 1.0  # the graph answered, not an exact scan


@pytest.mark.parametrize("step", ["before_write", "before_swap"])
def test_kill_during_optimization_loses_nothing(server_factory, step):
    x, q, truth = dataset(seed=11)
    srv = server_factory(env={f"QDB_FAILPOINT_OPTIMIZER_{step.upper()}_MS": "20000"})
    api = srv.api()
    name = unique("crash")
    create_indexed(api, name)
    upsert_all(api, name, x)
    segments = srv.storage / "collections" / name / "0" / "segments"
    deadline = time.time() + 120
    while time.time() < deadline:
        listed = json.loads((segments.parent / "shard.json").read_text())["segments"] if (segments.parent / "shard.json").exists() else []
        dirs = [d for d in segments.iterdir() if d.is_dir() and not d.name.endswith(".tmp")]
        if listed and (step == "before_write" or len(dirs) > len(listed)):
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the optimizer never reached the failpoint")
    time.sleep(0.5)
    srv.kill()
    srv.env.pop(f"QDB_FAILPOINT_OPTIMIZER_{step.upper()}_MS")
    srv.start()
    api = srv.api()
    assert ok(api.post(f"/collections/{name}/points/count", json={"exact": True}))["count"] == N
    got = ok(api.post(f"/collections/{name}/points", json={"ids": list(range(N)), "with_vector": True}))
    assert len(got) == N
    wait_indexed(api, name, N)
    assert recall([qdb_search(api, name, v) for v in q], truth) >= 0.95
    listed = set(json.loads((segments.parent / "shard.json").read_text())["segments"])
    assert {d.name for d in segments.iterdir() if d.is_dir()} == listed


def test_qdrant_config_yaml_sets_collection_defaults(server_factory):
    srv = server_factory(config_text=(
        "storage:\n  hnsw_index:\n    m: 8\n    full_scan_threshold_kb: 50\n    inline_storage: false\n"
        "  optimizers:\n    indexing_threshold_kb: 1\n    deleted_threshold: 0.5\n    prevent_unoptimized: false\n"))
    api = srv.api()
    a, b = unique("defaults"), unique("own")
    ok(api.put(f"/collections/{a}", json={"vectors": {"size": 4, "distance": "Dot"}}))
    ok(api.put(f"/collections/{b}", json={"vectors": {"size": 4, "distance": "Dot"}, "hnsw_config": {"m": 12},
                                         "optimizers_config": {"indexing_threshold": 0}}))
    ca = ok(api.get(f"/collections/{a}"))["config"]
    cb = ok(api.get(f"/collections/{b}"))["config"]
    assert (ca["hnsw_config"]["m"], ca["hnsw_config"]["full_scan_threshold"]) == (8, 50)
    assert (ca["optimizer_config"]["indexing_threshold"], ca["optimizer_config"]["deleted_threshold"]) == (1, 0.5)
    assert (cb["hnsw_config"]["m"], cb["hnsw_config"]["full_scan_threshold"], cb["optimizer_config"]["indexing_threshold"]) == (12, 50, 0)
    # PATCH changes them later; a bad value is refused (Qdrant's 4xx envelope) and changes nothing.
    ok(api.patch(f"/collections/{a}", json={"hnsw_config": {"ef_construct": 64}, "optimizers_config": {"indexing_threshold": 20}}))
    ca = ok(api.get(f"/collections/{a}"))["config"]
    assert ca["hnsw_config"]["ef_construct"] == 64 and ca["optimizer_config"]["indexing_threshold"] == 20
    r = api.patch(f"/collections/{a}", json={"hnsw_config": {"m": -1}})
    assert r.status_code in (400, 422) and "hnsw_config.m" in r.json()["status"]["error"]
    assert ok(api.get(f"/collections/{a}"))["config"]["hnsw_config"]["m"] == 8


def test_grpc_search_params_steer_the_index_as_rest(server_factory):
    """`params` (hnsw_ef, exact) over gRPC Query, Search and SearchBatch are applied as REST's,
    not ignored: a small ef misses neighbours on both, exact finds them all."""
    import grpc
    from qdrant_client import QdrantClient, grpc as qg, models

    x, q, truth = dataset()
    srv = server_factory()
    api = srv.api()
    name = unique("hnswg")
    create_indexed(api, name)
    upsert_all(api, name, x)
    wait_indexed(api, name, N)
    g = QdrantClient(url=srv.url, grpc_port=srv.grpc_port, prefer_grpc=True, timeout=60)
    channel = grpc.insecure_channel(f"127.0.0.1:{srv.grpc_port}")
    stub = qg.PointsStub(channel)
    try:
        def legacy(v, **p):
            return qg.SearchPoints(collection_name=name, vector=v.tolist(), limit=K, params=qg.SearchParams(**p))

        def grpc_search(v, **p):
            return [h.id.num for h in stub.Search(legacy(v, **p), timeout=30).result]

        def grpc_query(v, **p):
            return [h.id for h in g.query_points(name, query=v.tolist(), limit=K, search_params=models.SearchParams(**p)).points]
        for v in q[:20]:
            assert grpc_search(v, hnsw_ef=10) == qdb_search(api, name, v, hnsw_ef=10)
            assert grpc_query(v, hnsw_ef=10) == qdb_search(api, name, v, hnsw_ef=10)
        low = [grpc_query(v, hnsw_ef=10) for v in q]
        exact = [grpc_query(v, exact=True) for v in q]
        assert recall(low, truth) < recall(exact, truth) == 1.0
        batch = stub.SearchBatch(qg.SearchBatchPoints(collection_name=name, search_points=[legacy(v, exact=True) for v in q[:10]]),
                                 timeout=30).result
        assert [[h.id.num for h in r.result] for r in batch] == exact[:10]
    finally:
        channel.close()
        g.close()


def test_grpc_create_applies_hnsw_and_optimizers_config(server_factory):
    """`hnsw_config` and `optimizers_config` of a gRPC CreateCollection are applied as REST's
    (and validated alike), not ignored."""
    from qdrant_client import QdrantClient, models

    srv = server_factory()
    api = srv.api()
    g = QdrantClient(url=srv.url, grpc_port=srv.grpc_port, prefer_grpc=True, timeout=60)
    try:
        name = unique("hnswc")
        g.create_collection(name, vectors_config=models.VectorParams(size=4, distance=models.Distance.DOT),
                            hnsw_config=models.HnswConfigDiff(m=8, ef_construct=50, full_scan_threshold=20),
                            optimizers_config=models.OptimizersConfigDiff(indexing_threshold=1, deleted_threshold=0.5))
        info = ok(api.get(f"/collections/{name}"))["config"]
        assert (info["hnsw_config"]["m"], info["hnsw_config"]["ef_construct"], info["hnsw_config"]["full_scan_threshold"]) == (8, 50, 20)
        assert info["optimizer_config"]["indexing_threshold"] == 1 and info["optimizer_config"]["deleted_threshold"] == 0.5
        with pytest.raises(Exception, match="ef_construct"):
            g.create_collection(unique("hnswc"), vectors_config=models.VectorParams(size=4, distance=models.Distance.DOT),
                                hnsw_config=models.HnswConfigDiff(ef_construct=1))
    finally:
        g.close()


def test_per_vector_hnsw_config_builds_that_vectors_graph(server_factory):
    """A named vector's own `hnsw_config` (Qdrant's per-vector HnswConfigDiff) is kept, shown,
    validated, and used for that vector's graph; the other vector keeps the collection's."""
    srv = server_factory()
    api = srv.api()
    name = unique("hnswv")
    assert "vectors.a.hnsw_config" in err(api.put(f"/collections/{unique('hnswv')}", json={
        "vectors": {"a": {"size": 4, "distance": "Dot", "hnsw_config": {"ef_construct": 1}}}}), 400, 422)
    ok(api.put(f"/collections/{name}", json={
        "vectors": {"a": {"size": DIM, "distance": "Cosine", "hnsw_config": {"m": 6, "ef_construct": 40}},
                    "b": {"size": DIM, "distance": "Cosine"}},
        "optimizers_config": {"indexing_threshold": 1}, "hnsw_config": {"full_scan_threshold": 10}}))
    info = ok(api.get(f"/collections/{name}"))["config"]["params"]["vectors"]
    assert info["a"]["hnsw_config"] == {"m": 6, "ef_construct": 40} and "hnsw_config" not in info["b"]
    x, _, _ = dataset()
    for s in range(0, N, 500):
        ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [
            {"id": i, "vector": {"a": x[i].tolist(), "b": x[i].tolist()}} for i in range(s, min(N, s + 500))]}))
    wait_indexed(api, name, 2 * N)
    configs = {}
    for f in srv.storage.rglob("hnsw_config.json"):
        configs.setdefault(f.parent.name, []).append(json.loads(f.read_text()))
    assert configs["vector_index-a"] and all(c["m"] == 6 and c["ef_construct"] == 40 for c in configs["vector_index-a"])
    assert configs["vector_index-b"] and all(c["m"] == 16 and c["ef_construct"] == 100 for c in configs["vector_index-b"])
