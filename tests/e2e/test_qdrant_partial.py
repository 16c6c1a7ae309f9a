"""A partial snapshot built by Qdrant's code, applied by qdb: qdrant-edge cannot emit partial
archives, so the archive is put together in Qdrant's exact partial layout (reference §3.2,
§2.5) from a shard qdrant-edge wrote — `segments/<uuid>/files/…` with every file its
`snapshot_manifest()` lists, that manifest as each segment's `segment_manifest.json`, the WAL
stub, clock maps and replica files; no qdb.json, no shard.json. qdb, holding the shard as it was
before the edge's last changes, applies it and then answers as the edge does."""

import json

import numpy as np
import qdrant_edge as qe

from qdb_helpers import ok, unique
from test_qdrant_edge_interop import (build_edge_shard, create_named, edge_points, edge_top, make_point, pack_shard,
                                      qdb_points, qdb_top, same_points, same_top, write_tar)


def qdrant_partial(edge_dir, manifest) -> list:
    entries = []
    for name, data in pack_shard(edge_dir):
        if name.startswith("segments/"):
            seg, rel = name[len("segments/"):].split("/files/", 1)
            if seg not in manifest or (rel not in manifest[seg]["file_versions"] and rel not in ("segment.json", "version.info")):
                continue
        entries.append((name, data))
    for seg, m in manifest.items():
        entries.append((f"segments/{seg}/files/segment_manifest.json", json.dumps(m).encode()))
    clocks = b'{"clocks":[]}'
    return entries + [("newest_clocks.json", clocks), ("oldest_clocks.json", clocks)]


def test_qdrant_partial_archive_brings_qdb_to_the_edge_state(server_factory, tmp_path):
    srv = server_factory()
    api = srv.api()
    name = unique("qpart")
    create_named(api, name)
    edge_dir = tmp_path / "shard"
    shard = build_edge_shard(edge_dir, optimized=False, n=200)
    shard.close()
    base = write_tar(pack_shard(edge_dir), tmp_path / "base.snapshot")
    with open(base, "rb") as f:
        ok(api.post(f"/collections/{name}/shards/0/snapshots/upload", files={"snapshot": ("b.snapshot", f)}))
    # The edge moves on: new points, overwrites, deletes, payload edits.
    shard = qe.EdgeShard.load(str(edge_dir))
    rng = np.random.default_rng(3)
    new = [make_point(i, rng, "v3") for i in list(range(150, 260)) + list(range(0, 40, 3))]
    shard.update(qe.UpdateOperation.upsert_points([qe.Point(p["id"], p["vector"], p["payload"]) for p in new]))
    shard.update(qe.UpdateOperation.delete_points(list(range(60, 90))))
    shard.update(qe.UpdateOperation.set_payload([1, 151], {"moved": "on"}))
    shard.flush()
    manifest = shard.snapshot_manifest()
    want = edge_points(shard, list(range(300)))
    queries = [rng.normal(size=4).round(3).tolist() for _ in range(3)]
    tops = [edge_top(shard, "cos", q) for q in queries]
    shard.close()
    archive = write_tar(qdrant_partial(edge_dir, manifest), tmp_path / "partial.snapshot")
    with open(archive, "rb") as f:
        r = api.post(f"/collections/{name}/shards/0/snapshot/partial/recover", files={"snapshot": ("p.snapshot", f)})
    assert r.status_code == 200, r.text
    same_points(qdb_points(api, name), want)
    for q, top in zip(queries, tops):
        same_top(qdb_top(api, name, "cos", q), top)
    # And it keeps taking writes, numbered after everything the archive held.
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [make_point(999, rng)]}))
    assert 999 in qdb_points(api, name)
