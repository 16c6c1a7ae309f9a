"""Partial-snapshot manifests in Qdrant's exact form (`Segment::_get_segment_manifest`): the
mutable files of a sealed segment (`id_tracker.versions`, `id_tracker.deleted`,
`payload_index/config.json`) are `null` ("use segment_version"), the others numbered — the same
files qdrant-edge leaves null for the same segments; qdb reads both forms."""

import io
import json
import tarfile

from qdb_helpers import create_collection, ok, upsert
from test_qdrant_edge_interop import edge_load

MUTABLE = {"id_tracker.versions", "id_tracker.deleted", "payload_index/config.json"}


def filled(api, name):
    create_collection(api, name, size=4, distance="Cosine")
    upsert(api, name, points=[{"id": i, "vector": [1.0, float(i), 0.5, 2.0], "payload": {"i": i}} for i in range(50)])
    ok(api.put(f"/collections/{name}/index?wait=true", json={"field_name": "i", "field_schema": "integer"}))
    ok(api.post(f"/collections/{name}/shards/0/snapshots"))  # seals the appendable segment


def nulls(manifest: dict) -> dict[str, set[str]]:
    return {seg: {f for f, v in m["file_versions"].items() if v is None} for seg, m in manifest.items()}


def test_mutable_files_are_null_as_qdrant_edge_has_them(qdb, tmp_path):
    api = qdb.api()
    filled(api, "mv")
    mine = ok(api.get("/collections/mv/shards/0/snapshot/partial/manifest"))
    assert mine and all(nulls(mine)[seg] == MUTABLE & set(m["file_versions"]) for seg, m in mine.items()), mine
    for m in mine.values():
        assert all(isinstance(v, int) for f, v in m["file_versions"].items() if f not in MUTABLE)
    edge = edge_load(api.get("/collections/mv/shards/0/snapshot").content, tmp_path)
    theirs = edge.snapshot_manifest()
    # (edge also lists the field-index files it built at load, null as well; qdb has none)
    sealed = {seg: files & set(mine[seg]["file_versions"]) for seg, files in nulls(theirs).items() if seg in mine}
    assert sealed and sealed == nulls(mine), (sealed, nulls(mine))
    # The partial archive's segment_manifest.json files carry the same nulls.
    blob = api.post("/collections/mv/shards/0/snapshot/partial/create", json={}).content
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        for m in t.getmembers():
            if m.name.endswith("/segment_manifest.json"):
                seg = json.loads(t.extractfile(m).read())
                assert {f for f, v in seg["file_versions"].items() if v is None} == nulls(mine)[seg["segment_id"]]


def test_both_forms_are_read(qdb):
    api = qdb.api()
    filled(api, "mv2")
    mine = ok(api.get("/collections/mv2/shards/0/snapshot/partial/manifest"))
    numbered = json.loads(json.dumps(mine))
    for m in numbered.values():
        for f in MUTABLE & set(m["file_versions"]):
            m["file_versions"][f] = m["segment_version"]
    for manifest in (mine, numbered):
        r = api.post("/collections/mv2/shards/0/snapshot/partial/create", json=manifest)
        assert r.status_code == 304, (r.status_code, r.text[:300])
