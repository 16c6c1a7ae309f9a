"""A field index created (or dropped) after segments were sealed is recorded in their
`payload_index/config.json` (rewritten by rename, the segment's version raised), so qdrant-edge
loading a qdb shard — from a snapshot, or kept in sync by partial snapshots — has the index."""

import json

import qdrant_edge as qe

from qdb_helpers import create_collection, ok, upsert
from test_qdrant_edge_interop import edge_load


def configs(srv, name):
    return [json.loads(p.read_text())["indexed_fields"]
            for p in (srv.storage / "collections" / name / "0" / "segments").glob("*/payload_index/config.json")]


def test_index_made_after_the_seal_reaches_sealed_segments_and_edge(server_factory, tmp_path):
    srv = server_factory()
    api = srv.api()
    create_collection(api, "pic", size=4, distance="Dot")
    upsert(api, "pic", points=[{"id": i, "vector": [1.0, float(i), 0.5, 2.0], "payload": {"tag": f"t{i % 3}", "n": i}}
                               for i in range(60)])
    before = ok(api.post("/collections/pic/shards/0/snapshots"))  # seals the segment
    assert configs(srv, "pic") == [{}]
    follower = edge_load(api.get(f"/collections/pic/shards/0/snapshots/{before['name']}").content, tmp_path, "follower")
    assert follower.info().payload_schema == {}

    ok(api.put("/collections/pic/index?wait=true", json={"field_name": "tag", "field_schema": "keyword"}))
    assert configs(srv, "pic") == [{"tag": "keyword"}]
    # A fresh edge shard from a snapshot taken now has the index.
    fresh = edge_load(api.get("/collections/pic/shards/0/snapshot").content, tmp_path, "fresh")
    assert set(fresh.info().payload_schema) == {"tag"}
    assert fresh.info().payload_schema["tag"].data_type == qe.PayloadSchemaType.Keyword
    # The follower gets it by a partial snapshot alone: config.json is due again.
    r = api.post("/collections/pic/shards/0/snapshot/partial/create", json=follower.snapshot_manifest())
    assert r.status_code == 200, r.text
    delta = tmp_path / "delta.snapshot"
    delta.write_bytes(r.content)
    follower.update_from_snapshot(str(delta))
    assert set(follower.info().payload_schema) == {"tag"}
    # The field-index files edge built from the config are its own: nothing else is due.
    r = api.post("/collections/pic/shards/0/snapshot/partial/create", json=follower.snapshot_manifest())
    assert r.status_code == 304

    # Dropping it is recorded the same way; the points and later writes are unaffected.
    ok(api.delete("/collections/pic/index/tag?wait=true"))
    assert configs(srv, "pic") == [{}]
    upsert(api, "pic", points=[{"id": 100, "vector": [1.0, 1.0, 1.0, 1.0], "payload": {"tag": "new"}}])
    assert ok(api.post("/collections/pic/points/count", json={"exact": True}))["count"] == 61
    srv.restart()
    assert ok(srv.api().post("/collections/pic/points/count", json={"exact": True}))["count"] == 61
    assert configs(srv, "pic") and all(c == {} for c in configs(srv, "pic"))
