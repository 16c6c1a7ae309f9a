"""Filtered search on an indexed collection with payload indexes (issue 12's planner and
`payload_m` links), against exact numpy answers on seeded clustered data:

1. with the graph forced on (tiny `indexing_threshold`, `full_scan_threshold` 10 KB = 160 vectors
   of 16-d), qdb keeps recall@10 >= 0.95 at 0.1 %, 1 %, 10 % and 50 % selectivity, on a keyword
   and an integer field; the two below the threshold are scored exactly (the exact answers);
2. qdrant-edge, loading qdb's shard snapshot, walks qdb's graph with the filter the way Qdrant
   does (stepping only on points that pass it), so it relies on the payload links: with them it
   keeps that recall; the same data indexed with `payload_m: 0` loses it at 10 %.
"""

from __future__ import annotations

import numpy as np
import qdrant_edge as qe

from qdb_helpers import ok, unique, wait_collection
from test_qdrant_edge_interop import edge_load

N, DIM, K = 2000, 16, 10
# Group sizes: 0.1 %, 1 %, 10 %, 50 %, and the rest.
SHARES = [0.001, 0.01, 0.1, 0.5]


def dataset(seed: int = 21):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(50, DIM))
    x = (centers[rng.integers(0, 50, N)] + rng.normal(size=(N, DIM)) * 0.8).astype(np.float32)
    q = (centers[rng.integers(0, 50, 40)] + rng.normal(size=(40, DIM)) * 0.8).astype(np.float32)
    bounds = np.cumsum([0] + [int(s * N) for s in SHARES])

    def groups(perm):
        g = np.full(N, len(SHARES), dtype=np.int64)
        for i in range(len(SHARES)):
            g[perm[bounds[i]:bounds[i + 1]]] = i
        return g

    return x, q, groups(rng.permutation(N)), groups(rng.permutation(N))


def truth(x, q, mask):
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    qn = q / np.linalg.norm(q, axis=1, keepdims=True)
    scores = qn @ xn.T
    scores[:, ~mask] = -np.inf
    top = np.argsort(-scores, axis=1)[:, :K]
    return [[int(i) for i in row if mask[i]] for row in top]


def recall(found, want) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, want)]))


def make(api, name, x, tags, levels, payload_m=None):
    hnsw = {"full_scan_threshold": 10}  # KB: 160 vectors of 16-d, so 10 % and 50 % walk the graph
    if payload_m is not None:
        hnsw["payload_m"] = payload_m
    ok(api.put(f"/collections/{name}", json={
        "vectors": {"size": DIM, "distance": "Cosine"},
        "optimizers_config": {"indexing_threshold": 1}, "hnsw_config": hnsw,
    }))
    ok(api.put(f"/collections/{name}/index?wait=true", json={"field_name": "tag", "field_schema": "keyword"}))
    ok(api.put(f"/collections/{name}/index?wait=true", json={"field_name": "level", "field_schema": "integer"}))
    # One request, so the points land in one segment (a value's share is then the same there).
    pts = [{"id": i, "vector": x[i].tolist(), "payload": {"tag": f"t{tags[i]}", "level": int(levels[i])}} for i in range(N)]
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": pts}))
    wait_collection(api, name, 300, every=0.5, indexed_vectors_count=N)


def qdb_search(api, name, v, cond, **params):
    body = {"vector": v.tolist(), "limit": K, "filter": {"must": [cond]}}
    if params:
        body["params"] = params
    return [p["id"] for p in ok(api.post(f"/collections/{name}/points/search", json=body))]


def edge_search(shard, v, key, value):
    f = qe.Filter(must=[qe.FieldCondition(key=key, match=qe.MatchValue(value))])
    return [p.id for p in shard.query(qe.QueryRequest(limit=K, query=qe.Query.Nearest(v.tolist()), filter=f))]


def conditions(tags, levels):
    """(label, REST condition, edge key, edge value, mask) for each field and selectivity."""
    for i, share in enumerate(SHARES):
        yield f"tag {share:.1%}", {"key": "tag", "match": {"value": f"t{i}"}}, "tag", f"t{i}", tags == i
        yield f"level {share:.1%}", {"key": "level", "match": {"value": i}}, "level", i, levels == i


def test_filtered_recall_at_every_selectivity_with_payload_links(server_factory, tmp_path):
    x, q, tags, levels = dataset()
    srv = server_factory()
    api = srv.api()
    name = unique("plinks")
    make(api, name, x, tags, levels)
    schema = ok(api.get(f"/collections/{name}"))["payload_schema"]
    assert set(schema) == {"tag", "level"}

    for label, cond, *_, mask in conditions(tags, levels):
        want = truth(x, q, mask)
        found = [qdb_search(api, name, v, cond) for v in q]
        r = recall(found, want)
        assert r >= 0.95, f"{label}: recall@10 {r:.3f}"
        if mask.sum() < 160:  # below full_scan_threshold: the exact plan
            assert [set(f) for f in found] == [set(w) for w in want], label

    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    shard = edge_load(api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content, tmp_path)
    edge_recall = {}
    for label, _, key, value, mask in conditions(tags, levels):
        want = truth(x, q, mask)
        edge_recall[label] = recall([edge_search(shard, v, key, value) for v in q], want)
        assert edge_recall[label] >= 0.95, f"edge on qdb's graph, {label}: {edge_recall[label]:.3f}"

    # The same data with `payload_m: 0`: no payload links, and edge's filtered walk falls apart
    # where a value's points are too few for the main graph to connect them (10 %; 50 % is
    # past the block size limit, so the main graph serves it either way).
    bare = unique("nolinks")
    make(api, bare, x, tags, levels, payload_m=0)
    desc = ok(api.post(f"/collections/{bare}/shards/0/snapshots"))
    shard = edge_load(api.get(f"/collections/{bare}/shards/0/snapshots/{desc['name']}").content, tmp_path, name="edge-bare")
    for label, cond, key, value, mask in conditions(tags, levels):
        if label.endswith(" 10.0%"):
            r = recall([edge_search(shard, v, key, value) for v in q], truth(x, q, mask))
            assert r < edge_recall[label] - 0.1, f"{label}: {r:.3f} without links vs {edge_recall[label]:.3f}"
        # qdb's own walk steps through points that fail the filter, so it needs no links.
        if label.startswith("tag"):
            assert recall([qdb_search(api, bare, v, cond) for v in q], truth(x, q, mask)) >= 0.95
