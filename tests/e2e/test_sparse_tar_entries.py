"""Qdrant's preallocated files (32 MiB chunks, gridstore pages and trackers) travel as GNU sparse
tar entries (issue 11): a sparse-only collection of 50 points snapshots to a small archive that
GNU tar lists, Python's tarfile sees as sparse, qdrant-edge unpacks and loads, and qdb restores
and verifies with the same digests as before (the digest is over the logical content).
"""

from __future__ import annotations

import io
import random
import subprocess
import tarfile

import qdrant_edge as qe

from qdb_helpers import ok, run_qdb, scroll_all, unique
from test_qdrant_edge_interop import edge_load
from test_vector_kinds_edge import edge_top, qdb_top, same_top, sparse

# Before sparse entries, this collection's shard snapshot was about 70 MB.
MAX_ARCHIVE = 2 << 20


def sparse_only(api, n: int = 50) -> str:
    name = unique("sparsetar")
    ok(api.put(f"/collections/{name}", json={"sparse_vectors": {"s": {}}}))
    r = random.Random(7)
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [
        {"id": i, "vector": {"s": sparse(r, 5)}, "payload": {"i": i}} for i in range(n)]}))
    return name


def snapshot_blob(api, name: str, shard: bool) -> bytes:
    """A new shard-0 or collection snapshot of `name`, downloaded."""
    base = f"/collections/{name}/shards/0/snapshots" if shard else f"/collections/{name}/snapshots"
    desc = ok(api.post(base + ("" if shard else "?wait=true")))
    return api.get(f"{base}/{desc['name']}").content


def test_sparse_only_snapshot_is_small_and_read_by_gnu_tar_edge_and_qdb(server_factory, tmp_path):
    api = server_factory().api()
    name = sparse_only(api)
    blob = snapshot_blob(api, name, shard=True)
    assert len(blob) < MAX_ARCHIVE, f"shard snapshot of 50 sparse points is {len(blob)} bytes"
    path = tmp_path / "shard.snapshot"
    path.write_bytes(blob)

    # GNU tar lists it (logical sizes); Python's tarfile sees the preallocated files as sparse.
    listing = subprocess.run(["tar", "tvf", str(path)], capture_output=True, text=True, check=True).stdout
    assert "segments/" in listing
    with tarfile.open(path) as t:
        members = t.getmembers()
        holed = [m for m in members if m.issparse()]
        assert holed, [m.name for m in members]
        assert sum(m.size for m in holed) > 16 * MAX_ARCHIVE, "the holes are declared, not stored"
        for m in holed:
            assert f" {m.size} " in listing and m.name in listing, m.name

    # qdrant-edge unpacks it with Qdrant's own tar code, loads it and answers the same.
    shard = edge_load(blob, tmp_path)
    assert shard.count(qe.CountRequest(exact=True)) == 50
    r = random.Random(3)
    for _ in range(3):
        q = sparse(r, 4)
        same_top(edge_top(shard, "s", q), qdb_top(api, name, "s", q))
    shard.close()

    # qdb verifies it (digests over the logical content) and restores it.
    out = run_qdb(["verify", str(path)])
    assert out.returncode == 0, out.stderr
    other = unique("sparsetarback")
    ok(api.put(f"/collections/{other}", json={"sparse_vectors": {"s": {}}}))
    with open(path, "rb") as f:
        ok(api.post(f"/collections/{other}/shards/0/snapshots/upload?wait=true", files={"snapshot": f}))
    assert scroll_all(api, other, with_vector=True) == scroll_all(api, name, with_vector=True)


def test_collection_snapshot_of_sparse_only_collection_restores(server_factory, tmp_path):
    api = server_factory().api()
    name = sparse_only(api)
    blob = snapshot_blob(api, name, shard=False)
    assert len(blob) < MAX_ARCHIVE, len(blob)
    path = tmp_path / "c.snapshot"
    path.write_bytes(blob)
    assert subprocess.run(["tar", "tf", str(path)], capture_output=True, check=True).returncode == 0
    back = server_factory(start=False)
    out = run_qdb(["restore", str(path), "--collection", name, "--storage", str(back.storage)])
    assert out.returncode == 0, out.stderr
    # The restored preallocated files keep their holes: the storage is not 70 MB of zeros.
    used = sum(f.stat().st_blocks * 512 for f in back.storage.rglob("*") if f.is_file())
    assert used < 16 * MAX_ARCHIVE, used
    back.start()
    assert scroll_all(back.api(), name, with_vector=True) == scroll_all(api, name, with_vector=True)


def test_many_sparse_only_segments_restore(server_factory, tmp_path):
    """Ten sealed sparse-only segments declare ~700 MB of preallocated holes against ~1 MB of
    archive: within what the extractor admits for Qdrant's format (holes seeked over, not
    written), so the upload restores instead of being refused as a sparse bomb."""
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "40"})
    api = srv.api()
    name = unique("sparsetarmany")
    ok(api.put(f"/collections/{name}", json={"sparse_vectors": {"s": {}}}))
    r = random.Random(11)
    for b in range(0, 400, 40):
        ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [
            {"id": i, "vector": {"s": sparse(r, 5)}} for i in range(b, b + 40)]}))
    blob = snapshot_blob(api, name, shard=True)
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        declared = sum(m.size for m in t.getmembers())
    assert len(blob) < 4 * MAX_ARCHIVE and declared > 256 * len(blob), (len(blob), declared)
    other = unique("sparsetarmanyback")
    ok(api.put(f"/collections/{other}", json={"sparse_vectors": {"s": {}}}))
    ok(api.post(f"/collections/{other}/shards/0/snapshots/upload?wait=true", files={"snapshot": blob}))
    assert scroll_all(api, other, with_vector=True) == scroll_all(api, name, with_vector=True)
