"""Optional restore rows of bench/snapshot/run.py (see its README):

* `--indexed-restore` (issue 12): upload of the indexed collection's snapshot, from upload start
  to the first query answered at full recall (top-10 equal to an exact query's), against the same
  restore of an unindexed snapshot of the same data (a collection created with
  `optimizers_config.indexing_threshold: 0`, which disables indexing as in Qdrant), plus the
  index files' share of the snapshot's bytes.
* `--edge-restore appendable|optimized` (issue 11): a collection snapshot made of a shard that
  qdrant-edge (Qdrant's own segment code, in-process) wrote from the same points, packed as
  Qdrant packs one (GNU sparse entries for its preallocated files), uploaded like the other
  restore rows against the same `openssl dgst -sha256 F && tar xf F` reference. The edge shard's
  build is not timed.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import tarfile
import time
from pathlib import Path

MiB = 1024 * 1024
TARGET_INDEXED_RESTORE = 1.3  # issue 12: indexed restore to full recall / unindexed restore


def query_ids(sess, base: str, coll: str, body: dict) -> list:
    r = sess.post(f"{base}/collections/{coll}/points/query", json=body)
    if r.status_code != 200:
        raise SystemExit(f"query on {coll} -> {r.status_code}: {r.text[:300]}")
    return [p["id"] for p in r.json()["result"]["points"]]


def pick_probe(sess, base: str, coll: str, queries: list[list[float]], limit: int) -> tuple[dict, list]:
    """A query the indexed collection answers exactly as an exact scan does (searched with
    `hnsw_ef` 512: the bench's N(0,1) vectors are hard for a graph at the default ef): a restored
    copy of the same graph must answer it the same way, and a rebuilt or unindexed one answers it
    by an exact scan, so "full recall" is decided by one query. At 1M such vectors no query's
    top-10 may come out exact; the probe then asks for fewer hits (5, 3, 1), and says so."""
    for k in sorted({limit, *(n for n in (5, 3, 1) if n < limit)}, reverse=True):
        for q in queries:
            want = query_ids(sess, base, coll, {"query": q, "limit": k, "params": {"exact": True}})
            probe = {"query": q, "limit": k, "params": {"hnsw_ef": 512}}
            if query_ids(sess, base, coll, probe) == want:
                if k != limit:
                    print(f"  probe: no query's top-{limit} is exact from {coll}'s index; using a top-{k}", flush=True)
                return probe, want
    raise SystemExit(f"none of {len(queries)} queries is answered at full recall by {coll}'s index")


def upload(base: str, target: str, path: Path):
    """`curl -F` upload with `Expect:` off (the 1 s wait for `100 Continue` is the same on both
    sides and is not the server's work; see the README)."""
    p = subprocess.run(["curl", "-sS", "-H", "Expect:", "-o", "-", "-w", "\n%{http_code}", "-F",
                        f"snapshot=@{path}", f"{base}/collections/{target}/snapshots/upload?wait=true"],
                       capture_output=True, text=True)
    body, _, code = p.stdout.rpartition("\n")
    if p.returncode != 0 or code != "200" or json.loads(body).get("result") is not True:
        raise SystemExit(f"upload of {path.name} into {target} -> {code}: {body[:500]}{p.stderr[-500:]}")


def restore_to_full_recall(sess, base: str, path: Path, target: str, probe: dict, want: list,
                           timeout: float = 600) -> dict:
    """Seconds from upload start to the first probe answered with `want`, and what the collection
    said of its index right after the upload returned."""
    t0 = time.perf_counter()
    upload(base, target, path)
    uploaded = time.perf_counter() - t0
    info = sess.get(f"{base}/collections/{target}").json()["result"]
    queries, first_ms = 0, None
    while True:
        t = time.perf_counter()
        got = query_ids(sess, base, target, probe)
        queries += 1
        if first_ms is None:
            first_ms = (time.perf_counter() - t) * 1000
        if got == want:
            break
        if time.perf_counter() - t0 > timeout:
            raise SystemExit(f"{target} did not answer the probe at full recall within {timeout} s")
    return {"upload_s": uploaded, "full_recall_s": time.perf_counter() - t0, "queries": queries,
            "first_query_ms": first_ms, "status_after_upload": info.get("status"),
            "indexed_vectors_count_after_upload": info.get("indexed_vectors_count")}


def index_share(path: Path) -> tuple[int, int]:
    """(bytes of `vector_index*/` files, real bytes of the archive): tar members' data as stored."""
    index = 0
    with tarfile.open(path) as t:
        for m in t:
            if m.isfile() and "/vector_index" in m.name:
                index += sum(n for _, n in m.sparse) if m.sparse else m.size
    return index, path.stat().st_size


def prepare_unindexed(ctx) -> Path:
    """The same points in a collection that never indexes (Qdrant: `indexing_threshold: 0`),
    snapshotted and downloaded; the collection is then deleted. Run while the indexed collection's
    optimizer builds its graphs (untimed), so the bench does not wait twice."""
    sess, base, args, maker = ctx.sess, ctx.base, ctx.args, ctx.maker
    plain = "plain"
    print("  meanwhile: ingesting an unindexed copy for --indexed-restore…", flush=True)
    ctx.check(sess.put(f"{base}/collections/{plain}", json={
        "vectors": {"size": args.dim, "distance": "Cosine"}, "optimizers_config": {"indexing_threshold": 0}}))
    t = time.perf_counter()
    for s in range(0, args.points, args.batch):
        ctx.check(sess.put(f"{base}/collections/{plain}/points?wait=true", data=maker.body(s, min(s + args.batch, args.points)),
                           headers={"content-type": "application/json"}))
    snap = ctx.check(sess.post(f"{base}/collections/{plain}/snapshots?wait=true"))
    plain_file = ctx.work / "plain.snapshot"
    subprocess.run(["curl", "-sSf", "-o", str(plain_file), f"{base}/collections/{plain}/snapshots/{snap['name']}"], check=True)
    ctx.check(sess.delete(f"{base}/collections/{plain}/snapshots/{snap['name']}"))
    ctx.check(sess.delete(f"{base}/collections/{plain}"))
    print(f"  unindexed copy: {plain_file.stat().st_size / MiB:,.1f} MiB snapshot in {time.perf_counter() - t:.1f} s", flush=True)
    return plain_file


def indexed_restore(ctx, stored: Path, plain_file: Path) -> tuple[list[tuple], dict]:
    """The issue-12 row. `ctx` is run.py's namespace (session, base URL, args, maker, helpers);
    `plain_file` is `prepare_unindexed`'s snapshot."""
    sess, base, args, maker = ctx.sess, ctx.base, ctx.args, ctx.maker
    print("[-] indexed restore to full recall vs the same restore unindexed…", flush=True)
    rng_queries = [json.loads(b)["query"] for b in maker.query_bodies(100, args.limit)]
    probe, want = pick_probe(sess, base, ctx.coll, rng_queries, args.limit)

    runs: dict[str, list[dict]] = {"indexed": [], "unindexed": []}
    for i in range(args.repeat):
        order = [("indexed", stored), ("unindexed", plain_file)]
        if i % 2:
            order.reverse()
        for kind, path in order:
            os.sync()
            target = f"ir{kind[0]}{i}"
            runs[kind].append(restore_to_full_recall(sess, base, path, target, probe, want))
            ctx.check(sess.delete(f"{base}/collections/{target}"))
    idx_bytes, snap_bytes = index_share(stored)
    plain_bytes = plain_file.stat().st_size
    plain_file.unlink()

    def med(kind, key):
        return sorted(r[key] for r in runs[kind])[len(runs[kind]) // 2]

    ratios = sorted(a["full_recall_s"] / b["full_recall_s"] for a, b in zip(runs["indexed"], runs["unindexed"]))
    ratio = (ratios[0], ratios[len(ratios) // 2])
    ok = ratio[1] <= TARGET_INDEXED_RESTORE
    after = runs["indexed"][-1]
    rows = [
        ("indexed restore to full recall", f"{min(r['full_recall_s'] for r in runs['indexed']):.3f} / {med('indexed', 'full_recall_s'):.3f}",
         f"{min(r['full_recall_s'] for r in runs['unindexed']):.3f} / {med('unindexed', 'full_recall_s'):.3f}",
         f"{ratio[0]:.2f} / {ratio[1]:.2f}", f"<= {TARGET_INDEXED_RESTORE}x", "yes" if ok else "NO"),
        ("  (after upload: status, indexed vectors)", f"{after['status_after_upload']}, {after['indexed_vectors_count_after_upload']}",
         f"first query {med('indexed', 'first_query_ms'):.1f} ms", f"unindexed {med('unindexed', 'first_query_ms'):.1f} ms", "-", ""),
        ("index files' share of the snapshot", f"{idx_bytes / MiB:,.1f} MiB", f"of {snap_bytes / MiB:,.1f} MiB",
         f"{100 * idx_bytes / snap_bytes:.1f} %", f"unindexed {plain_bytes / MiB:,.1f} MiB", ""),
    ]
    return rows, {"runs": runs, "ratio": ratio, "target": TARGET_INDEXED_RESTORE, "ok": ok,
                  "index_bytes": idx_bytes, "snapshot_bytes": snap_bytes, "unindexed_snapshot_bytes": plain_bytes,
                  "probe_ids": want}


# --- qdrant-edge ----------------------------------------------------------------------------

def build_edge_shard(maker, points: int, dim: int, batch: int, path: Path, optimized: bool):
    """The bench's points, written by qdrant-edge into a shard at `path`; optimized: indexed by
    edge's optimizer (HNSW), else left in its appendable segments."""
    import qdrant_edge as qe
    shard = qe.EdgeShard.create(str(path), qe.EdgeConfig(vectors=qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine)))
    for s in range(0, points, batch):
        e = min(s + batch, points)
        body = json.loads(maker.body(s, e))["batch"]  # the same rounded vectors and payloads qdb got
        shard.update(qe.UpdateOperation.upsert_points(
            [qe.Point(i, v, p) for i, v, p in zip(body["ids"], body["vectors"], body["payloads"])]))
    if optimized:
        shard.optimize()
    shard.flush()
    shard.close()


def pack_edge_collection(edge_dir: Path, dim: int, out: Path, stage: Path, indexing_threshold: int) -> Path:
    """A Qdrant collection snapshot of the edge shard (reference §2.4): `config.json` and friends,
    the shard's segments under `0/segments/<uuid>/files/`, an empty WAL after the newest operation
    and the replica files; written by GNU tar with `--sparse`, as Qdrant's preallocated files travel."""
    shutil.rmtree(stage, ignore_errors=True)
    versions = []
    for seg in sorted((edge_dir / "segments").iterdir()):
        if not (seg / "segment.json").exists():
            continue
        versions.append(json.loads((seg / "segment.json").read_text()).get("version") or 0)
        for f in seg.rglob("*"):
            if f.is_file():
                dst = stage / "0" / "segments" / seg.name / "files" / f.relative_to(seg)
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.link(f, dst)  # same inode, holes and all
    config = {
        "params": {"vectors": {"size": dim, "distance": "Cosine"}, "shard_number": 1, "replication_factor": 1,
                   "write_consistency_factor": 1, "on_disk_payload": True},
        "hnsw_config": {"m": 16, "ef_construct": 100, "full_scan_threshold": 10000, "max_indexing_threads": 0, "on_disk": False},
        "optimizer_config": {"deleted_threshold": 0.2, "vacuum_min_vector_number": 1000, "default_segment_number": 0,
                             "max_segment_size": None, "memmap_threshold": None, "indexing_threshold": indexing_threshold,
                             "flush_interval_sec": 5, "max_optimization_threads": None},
        "wal_config": {"wal_capacity_mb": 32, "wal_segments_ahead": 0, "wal_retain_closed": 1},
        "quantization_config": None, "strict_mode_config": {"enabled": False},
    }
    files = {"version.info": b"0.4.2", "config.json": json.dumps(config).encode(), "payload_index.json": b'{"schema":{}}',
             "shard_key_mapping.json": b"{}", f"0/wal/closed-{max(versions) + 1}": b"wal\x00" + struct.pack("<I", 0x1234ABCD),
             "0/replica_state.json": b'{"is_local":true,"this_peer_id":1,"peers":{"1":"Active"}}',
             "0/shard_config.json": b'{"type":"Local"}'}
    for name, data in files.items():
        (stage / name).parent.mkdir(parents=True, exist_ok=True)
        (stage / name).write_bytes(data)
    subprocess.run(["tar", "--sparse", "--hard-dereference", "--format=gnu", "-cf", str(out), "-C", str(stage), "."], check=True)
    shutil.rmtree(stage, ignore_errors=True)
    return out


def prepare_edge(ctx, kind: str) -> dict:
    """Builds the edge shard from the bench's points and packs it (untimed; run while the indexed
    collection's optimizer works)."""
    args = ctx.args
    print(f"  meanwhile: building the qdrant-edge ({kind}) shard for --edge-restore…", flush=True)
    edge_dir = ctx.work / "edge-shard"
    t = time.perf_counter()
    build_edge_shard(ctx.maker, args.points, args.dim, args.batch, edge_dir, kind == "optimized")
    build_s = time.perf_counter() - t
    # An appendable shard restores unindexed; `indexing_threshold: 0` keeps qdb's optimizer from
    # indexing each restored copy while the next round is timed (the optimized one has its graph).
    archive = pack_edge_collection(edge_dir, args.dim, ctx.work / "edge.snapshot", ctx.work / "edge-stage",
                                   10000 if kind == "optimized" else 0)
    declared = sum(f.stat().st_size for f in edge_dir.rglob("*") if f.is_file())
    segments = sum(1 for d in (edge_dir / "segments").iterdir() if (d / "segment.json").exists())
    shutil.rmtree(edge_dir, ignore_errors=True)
    print(f"  edge shard built in {build_s:.1f} s: {segments} segments; archive {archive.stat().st_size / MiB:,.1f} MiB "
          f"({declared / MiB:,.1f} MiB of files, holes included)", flush=True)
    return {"kind": kind, "archive": archive, "build_s": build_s, "segments": segments, "declared_bytes": declared}


def edge_restore(ctx, edge: dict):
    """The issue-11 row: upload+recover of the edge-made snapshot vs the tar reference, paired as
    the other restore rows. Returns (pairs, label, details)."""
    sess, base, args = ctx.sess, ctx.base, ctx.args
    kind, archive = edge["kind"], edge["archive"]
    print(f"[-] upload+recover of the qdrant-edge ({kind}) snapshot vs the same reference x{args.repeat}…", flush=True)
    probe = json.loads(ctx.qbodies[0])
    exact = {**probe, "params": {"exact": True}}
    want = query_ids(sess, base, ctx.coll, exact)
    pairs = ctx.Pairs()
    for i in range(args.repeat):
        target = f"edge{i}"
        ctx.paired(i, lambda target=target: ctx.time_it(lambda: upload(base, target, archive)),
                   lambda: ctx.tar_x_ref(archive), pairs)
        got = ctx.check(sess.post(f"{base}/collections/{target}/points/count", json={"exact": True}))["count"]
        if got != args.points:
            raise SystemExit(f"{target} has {got} points after the edge snapshot's upload, expected {args.points}")
        if query_ids(sess, base, target, exact) != want:
            raise SystemExit(f"{target} answers the exact probe otherwise than the collection qdb ingested")
        ctx.check(sess.delete(f"{base}/collections/{target}"))
    archive_bytes = archive.stat().st_size
    archive.unlink()
    details = {k: v for k, v in edge.items() if k != "archive"}
    return pairs, f"upload+recover, edge snapshot ({kind})", {**details, "archive_bytes": archive_bytes}
