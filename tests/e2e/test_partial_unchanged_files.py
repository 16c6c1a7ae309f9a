"""A partial snapshot does not resend a file whose contents did not change (issue 11's partial
bytes): overwriting points that live in a sealed segment raises that segment's version, and with
it the version of every file Qdrant's manifest leaves `null`, but of those only the deletion bitset
`id_tracker.deleted` changed. A requester whose manifest carries qdb's `file_sha256` (another qdb)
is not sent `id_tracker.versions` (8 bytes a point) again; one that sends versions only (Qdrant,
qdrant-edge) is answered by Qdrant's rule and gets it; both end equal to the primary."""

import io
import tarfile

from qdb_helpers import create_collection, ok, unique, upsert
from test_partial_snapshots import SEAL, search, state
from test_qdrant_edge_interop import edge_load


def carried(blob: bytes) -> dict[str, set[str]]:
    """Segment id -> the segment files a partial archive carries (its own manifest left out)."""
    out: dict[str, set[str]] = {}
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        for m in t.getmembers():
            parts = m.name.split("/", 3)
            if m.isfile() and len(parts) == 4 and parts[0] == "segments" and parts[2] == "files" and parts[3] != "segment_manifest.json":
                out.setdefault(parts[1], set()).add(parts[3])
    return out


def test_overwrites_in_a_sealed_segment_resend_only_its_deletion_bitset(server_factory, tmp_path):
    name = unique("unchanged")
    primary, replica = server_factory(env=SEAL), server_factory(env=SEAL)
    p, r = primary.api(), replica.api()
    create_collection(p, name, size=4, distance="Cosine")
    upsert(p, name, points=[{"id": i, "vector": [1, i, 0.5, 2], "payload": {"i": i}} for i in range(40)])
    snap = ok(p.post(f"/collections/{name}/snapshots"))  # seals one segment of 40 points
    blob = p.get(f"/collections/{name}/snapshots/{snap['name']}").content
    ok(r.post(f"/collections/{name}/snapshots/upload", files={"snapshot": ("s.snapshot", blob)}))
    shard = p.get(f"/collections/{name}/shards/0/snapshot").content  # qdrant-edge's copy, before the change
    sealed = set(ok(p.get(f"/collections/{name}/shards/0/snapshot/partial/manifest")))
    edge = edge_load(shard, tmp_path)

    upsert(p, name, points=[{"id": i, "vector": [2, i, 1, 0], "payload": {"i": i, "v": 2}} for i in (3, 7, 30)])
    ok(p.post(f"/collections/{name}/shards/0/snapshots"))  # seals the overwrites into a second segment

    mine = ok(r.get(f"/collections/{name}/shards/0/snapshot/partial/manifest"))
    assert all(m.get("file_sha256") for m in mine.values())
    blob = p.post(f"/collections/{name}/shards/0/snapshot/partial/create", json=mine).content
    files = carried(blob)
    (old,) = sealed
    assert files[old] == {"segment.json", "version.info", "id_tracker.deleted"}, files[old]
    (new,) = set(files) - sealed
    assert {"id_tracker.versions", "vector_storage/matrix.dat"} <= files[new]
    ok(r.post(f"/collections/{name}/shards/0/snapshot/partial/recover", files={"snapshot": ("p.snapshot", blob)}))
    assert state(r, name) == state(p, name)
    assert search(r, name, [1, 3, 0.5, 2]) == search(p, name, [1, 3, 0.5, 2])
    assert ok(r.get(f"/collections/{name}/shards/0/snapshot/partial/manifest")) == \
        ok(p.get(f"/collections/{name}/shards/0/snapshot/partial/manifest"))
    # Nothing left to send.
    again = ok(r.get(f"/collections/{name}/shards/0/snapshot/partial/manifest"))
    assert p.post(f"/collections/{name}/shards/0/snapshot/partial/create", json=again).status_code == 304

    # qdrant-edge's manifest has no hashes: Qdrant's rule sends every file whose version rose.
    theirs = edge.snapshot_manifest()
    blob = p.post(f"/collections/{name}/shards/0/snapshot/partial/create", json=theirs).content
    assert {"id_tracker.versions", "id_tracker.deleted"} <= carried(blob)[old]
    archive = tmp_path / "partial.snapshot"
    archive.write_bytes(blob)
    edge.update_from_snapshot(str(archive))
    got = {rec.id: rec.payload for rec in edge.retrieve(list(range(40)), with_payload=True, with_vector=False)}
    assert got == {pt["id"]: pt["payload"] for pt in ok(p.post(f"/collections/{name}/points/scroll", json={"limit": 100}))["points"]}
    edge.close()
