"""A generated corpus of hostile snapshot archives, the way qdb was probed from outside.

`build(base_collection, base_shard, base_full, escape)` returns {case name: archive bytes}:
lying counts and sizes in segment files, sparse bombs, long names, every tar entry type,
truncations at every structure boundary of a real snapshot, lying metadata, duplicates and
archives of the wrong kind. Cases that mutate a real snapshot rewrite its `qdb.json` to match,
so they reach the loaders instead of stopping at the checksum check.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import struct
import tarfile

BLOCK = 512


# ---- raw tar building ----------------------------------------------------------------------

def _octal(n: int, width: int) -> bytes:
    return (format(n, "o").rjust(width - 1, "0")).encode() + b"\0"


def raw_header(name: bytes, size: int, typeflag: bytes = b"0", *, linkname: bytes = b"",
               mode: int = 0o644, extra: dict[int, bytes] | None = None, magic: bytes = b"ustar  \0",
               size_field: bytes | None = None, checksum: int | None = None) -> bytes:
    """One 512-byte GNU-style tar header (old GNU magic), with `extra` bytes at given offsets."""
    h = bytearray(BLOCK)
    h[0:len(name[:100])] = name[:100]
    h[100:108] = _octal(mode, 8)
    h[108:116] = _octal(0, 8)
    h[116:124] = _octal(0, 8)
    h[124:136] = size_field if size_field is not None else _octal(size, 12)
    h[136:148] = _octal(1_700_000_000, 12)
    h[156:157] = typeflag
    h[157:157 + len(linkname[:100])] = linkname[:100]
    h[257:265] = magic
    for off, data in (extra or {}).items():
        h[off:off + len(data)] = data
    h[148:156] = b" " * 8
    chk = sum(h) if checksum is None else checksum
    h[148:156] = _octal(chk, 7) + b" "
    return bytes(h)


def pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % BLOCK)


def end() -> bytes:
    return b"\0" * (2 * BLOCK)


def gnu_sparse(name: bytes, real_size: int, regions: list[tuple[int, int]]) -> bytes:
    """An old-GNU sparse entry ('S'): up to 4 regions in the header; data stored for each."""
    extra = {}
    for i, (off, length) in enumerate(regions[:4]):
        extra[386 + i * 24] = _octal(off, 12)
        extra[386 + i * 24 + 12] = _octal(length, 12)
    extra[483] = _octal(real_size, 12)
    stored = sum(length for _, length in regions[:4])
    return raw_header(name, stored, b"S", extra=extra) + pad(b"\x5a" * stored)


def pax_sparse(name: str, real_size: int, regions: list[tuple[int, int]]) -> bytes:
    """A PAX GNU sparse 1.0 entry: the map at the start of the data, then the regions' data."""
    pax = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.name": name,
           "GNU.sparse.realsize": str(real_size)}
    body = b""
    for k, v in pax.items():
        rec = f" {k}={v}\n"
        n = len(rec) + 1
        while len(f"{n}{rec}") != n:
            n += 1
        body += f"{n}{rec}".encode()
    header = raw_header(b"./PaxHeaders/x", len(body), b"x", magic=b"ustar\x0000") + pad(body)
    smap = f"{len(regions)}\n" + "".join(f"{o}\n{l}\n" for o, l in regions)
    data = pad(smap.encode()) + b"\x5a" * sum(l for _, l in regions)
    return header + raw_header(b"GNUSparseFile.0/x", len(data), b"0", magic=b"ustar\x0000") + pad(data)


def gnu_longname(name: bytes, data: bytes = b"x") -> bytes:
    return (raw_header(b"././@LongLink", len(name) + 1, b"L") + pad(name + b"\0")
            + raw_header(name[:100], len(data)) + pad(data))


def raw_tar(members: list[tuple[str, bytes]]) -> bytes:
    """Headers and data of regular files, without the end blocks (names under 100 bytes)."""
    return b"".join(raw_header(p.encode(), len(d)) + pad(d) for p, d in members)


def tar_of(members: list[tuple[str, bytes | None]]) -> bytes:
    """A GNU tar of (path, data) files; data None makes a directory."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for path, data in members:
            info = tarfile.TarInfo(path)
            if data is None:
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def special(name: str, kind: bytes, **kw) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        info = tarfile.TarInfo(name)
        info.type = kind
        for k, v in kw.items():
            setattr(info, k, v)
        t.addfile(info)
    return buf.getvalue()


# ---- mutating a real snapshot --------------------------------------------------------------

class Snapshot:
    """A real qdb snapshot, taken apart so that single members can be replaced."""

    def __init__(self, blob: bytes):
        self.blob = blob
        self.members: list[tuple[tarfile.TarInfo, bytes | None]] = []
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:") as t:
            for m in t.getmembers():
                data = t.extractfile(m).read() if m.isfile() else None
                self.members.append((m, data))
        self.meta = json.loads(dict((m.name, d) for m, d in self.members)["qdb.json"])

    def find(self, suffix: str) -> str:
        for m, _ in self.members:
            if m.name.endswith(suffix):
                return m.name
        raise KeyError(suffix)

    def data(self, path: str) -> bytes:
        return dict((m.name, d) for m, d in self.members)[path]

    def with_changes(self, changes: dict[str, bytes | None], meta_patch=None, fix_meta: bool = True,
                     extra: list[tuple[str, bytes]] = ()) -> bytes:
        """The snapshot with `changes` (None removes a member), extra members appended before
        qdb.json, and qdb.json rewritten to list the new sizes and digests."""
        meta = json.loads(json.dumps(self.meta))
        out: list[tuple[str, bytes | None]] = []
        for m, d in self.members:
            if m.name == "qdb.json":
                continue
            if m.name in changes:
                d = changes[m.name]
                if d is None:
                    meta["files"].pop(m.name, None)
                    continue
            out.append((m.name if not m.isdir() else m.name, d if m.isfile() else None))
            if fix_meta and m.isfile():
                meta["files"][m.name] = {"size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
        for path, d in extra:
            out.append((path, d))
            if fix_meta:
                meta["files"][path] = {"size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
        if meta_patch:
            meta_patch(meta)
        out.append(("qdb.json", json.dumps(meta).encode()))
        return tar_of(out)

    def boundaries(self) -> list[tuple[str, int]]:
        """Offsets inside the raw archive where a truncation cuts a structure: the middle of
        each header, the first data byte, the last data byte, and inside the end blocks."""
        cuts = []
        with tarfile.open(fileobj=io.BytesIO(self.blob), mode="r:") as t:
            for m in t.getmembers():
                cuts.append((f"{m.name}:header", m.offset + 256))
                if m.size:
                    cuts.append((f"{m.name}:data-start", m.offset_data + 1))
                    cuts.append((f"{m.name}:data-end", m.offset_data + m.size - 1))
        cuts.append(("end-blocks", len(self.blob.rstrip(b"\0")) + 100))
        return cuts


def segment_json_cases(snap: Snapshot, prefix: str) -> dict[str, bytes]:
    """Lies inside one sealed segment, in Qdrant's immutable layout, with qdb.json's digests
    recomputed so that the archive reaches the segment loaders."""
    seg_path = snap.find("segment.json")
    seg = json.loads(snap.data(seg_path))
    base = seg_path[: -len("segment.json")]
    vname = next(iter(seg["config"]["vector_data"]))

    def seg_with(patch):
        s = json.loads(json.dumps(seg))
        patch(s)
        return snap.with_changes({seg_path: json.dumps(s).encode()})

    def file_change(name, data):
        return snap.with_changes({base + name: data})

    def vector_size(n):
        return lambda s: s["config"]["vector_data"][vname].update(size=n)

    mappings = snap.data(base + "id_tracker.mappings")
    versions = snap.data(base + "id_tracker.versions")
    matrix = snap.data(base + "vector_storage/matrix.dat")
    cases = {
        "mappings-count-1e12": file_change("id_tracker.mappings", struct.pack("<Q", 10**12) + mappings[8:]),
        "mappings-count-max": file_change("id_tracker.mappings", b"\xff" * 8 + mappings[8:]),
        "mappings-count-plus-one": file_change(
            "id_tracker.mappings", struct.pack("<Q", struct.unpack("<Q", mappings[:8])[0] + 1) + mappings[8:]),
        "mappings-truncated": file_change("id_tracker.mappings", mappings[: len(mappings) // 2]),
        "mappings-bad-kind": file_change("id_tracker.mappings", mappings[:8] + b"\x09" + mappings[9:]),
        "mappings-empty": file_change("id_tracker.mappings", b""),
        "versions-short": file_change("id_tracker.versions", versions[:3]),
        "matrix-truncated": file_change("vector_storage/matrix.dat", matrix[:-4]),
        "matrix-extended": file_change("vector_storage/matrix.dat", matrix + b"\0" * 4),
        "matrix-bad-magic": file_change("vector_storage/matrix.dat", b"junk" + matrix[4:]),
        "matrix-missing": snap.with_changes({base + "vector_storage/matrix.dat": None}),
        "mappings-missing": snap.with_changes({base + "id_tracker.mappings": None}),
        "vector-size-huge": seg_with(vector_size(10**9)),
        "vector-size-zero": seg_with(vector_size(0)),
        "vector-size-negative": seg_with(vector_size(-4)),
        "vector-size-plus-one": seg_with(vector_size(seg["config"]["vector_data"][vname]["size"] + 1)),
        "storage-type-unknown": seg_with(lambda s: s["config"]["vector_data"][vname].update(storage_type="Tape")),
        "segment-json-array": snap.with_changes({seg_path: b"[]"}),
        "segment-json-empty-object": snap.with_changes({seg_path: b"{}"}),
        "segment-json-garbage": snap.with_changes({seg_path: b"\xff\xfe{{{"}),
        "segment-json-deep": snap.with_changes({seg_path: b"[" * 100_000 + b"]" * 100_000}),
        "segment-json-huge": snap.with_changes({seg_path: b" " * (20 << 20) + b"{}"}),
    }
    return {f"{prefix}-{k}": v for k, v in cases.items()}


def qdrant_form(snap: Snapshot, name: str, change) -> bytes:
    """The snapshot as Qdrant would send it (no qdb.json), with one segment file changed."""
    base = snap.find("segment.json")[: -len("segment.json")]
    return tar_of([(m.name, change(d) if m.name == base + name else d)
                   for m, d in snap.members if m.name != "qdb.json" and d is not None])


def build(collection: bytes, shard: bytes, full: bytes, escape: str) -> dict[str, dict]:
    """{case: {"bytes": archive, "route": "collection"|"shard"}}."""
    snap = Snapshot(collection)
    shard_snap = Snapshot(shard)
    four_gib = 4 << 30
    cases: dict[str, bytes] = {
        # every entry type
        "type-symlink": special("0/link", tarfile.SYMTYPE, linkname=escape),
        "type-hardlink": special("0/hard", tarfile.LNKTYPE, linkname="/etc/passwd"),
        "type-chardev": special("0/dev", tarfile.CHRTYPE, devmajor=1, devminor=3),
        "type-blockdev": special("0/blk", tarfile.BLKTYPE, devmajor=8, devminor=0),
        "type-fifo": special("0/fifo", tarfile.FIFOTYPE),
        "type-symlink-then-write": special("0", tarfile.SYMTYPE, linkname=escape.rsplit("/", 1)[0])
        + tar_of([("0/pwned", b"x")]),
        "type-contiguous": raw_header(b"config.json", 2, b"7") + pad(b"{}") + end(),
        "type-unknown": raw_header(b"config.json", 2, b"Z") + pad(b"{}") + end(),
        "type-volume-header": raw_header(b"volume", 0, b"V") + end(),
        "type-multivolume": raw_header(b"config.json", 2, b"M") + pad(b"{}") + end(),
        # names
        "path-dotdot": tar_of([("../../../../../../.." + escape, b"x")]),
        "path-absolute": tar_of([(escape, b"x")]),
        "path-4k": tar_of([("a/" * 2040 + "f", b"x")]),
        "path-4k-longlink": gnu_longname(b"b" * 200 + b"/" + b"c/" * 1950 + b"f") + end(),
        "path-long-component": tar_of([("d/" + "x" * 300, b"x")]),
        "path-control-char": tar_of([("0/a\x01b", b"x")]),
        "path-invalid-utf8": raw_header(b"0/\xff\xfe", 1) + pad(b"x") + end(),
        "path-empty": raw_header(b"", 1) + pad(b"x") + end(),
        # sparse bombs
        "sparse-gnu-4gib": gnu_sparse(b"0/bomb", four_gib, [(four_gib - BLOCK, BLOCK)]) + end(),
        "sparse-pax-4gib": pax_sparse("0/bomb", four_gib, [(four_gib - BLOCK, BLOCK)]) + end(),
        "sparse-region-outside": gnu_sparse(b"0/bomb", 1024, [(4096, BLOCK)]) + end(),
        "sparse-offset-overflow": gnu_sparse(b"0/bomb", 2**62, [(2**62 - 1, BLOCK)]) + end(),
        "sparse-in-snapshot": raw_tar([(m.name, d) for m, d in snap.members if d is not None and m.name != "qdb.json"])
        + gnu_sparse(b"zz-bomb", four_gib, [(0, BLOCK)]) + raw_tar([("qdb.json", snap.data("qdb.json"))]) + end(),
        # tar structure
        "garbage": b"\x7fELF" + b"\x00\x01" * 4000,
        "gzip": gzip.compress(collection),
        "empty-file": b"",
        "zero-blocks-only": end(),
        "bad-header-checksum": raw_header(b"config.json", 2, checksum=1) + pad(b"{}") + end(),
        "size-not-octal": raw_header(b"config.json", 2, size_field=b"zzzzzzzzzzz\0") + pad(b"{}") + end(),
        "size-base256-huge": raw_header(b"config.json", 2, size_field=b"\x80" + b"\x7f" + b"\xff" * 10) + pad(b"{}") + end(),
        # More data than any disk here has free, behind a 2 KB body: truncated (400), not 507.
        "size-base256-900gib": raw_header(b"0/big", 2, size_field=b"\x80" + (900 << 30).to_bytes(11, "big")) + pad(b"{}") + end(),
        "size-beyond-archive": raw_header(b"config.json", 1 << 30) + pad(b"{}") + end(),
        # lying metadata
        "meta-format-999": snap.with_changes({}, meta_patch=lambda m: m.update(format_version=999)),
        "meta-kind-bogus": snap.with_changes({}, meta_patch=lambda m: m.update(kind="bogus")),
        "meta-size-lie": snap.with_changes({}, fix_meta=False, meta_patch=lambda m: [
            f.update(size=f["size"] + 1) for f in list(m["files"].values())[:1]]),
        # Without qdb.json an archive is taken as Qdrant's (no digests): its segments are then
        # checked by structure, so a lying id tracker must still be refused.
        "meta-missing-lying-segment": qdrant_form(snap, "id_tracker.mappings", lambda b: struct.pack("<Q", 10**12) + b[8:]),
        "meta-missing-bad-payload-tracker": qdrant_form(
            snap, "payload_storage/tracker.dat", lambda b: b[:4] + struct.pack("<IIII", 1, 999, 0, 64) + b[20:]),
        "meta-deep-json": tar_of([(m.name, d) for m, d in snap.members if m.name != "qdb.json" and d is not None]
                                 + [("qdb.json", b"[" * 200_000 + b"]" * 200_000)]),
        "config-array": snap.with_changes({"config.json": b"[]"}),
        # Decoding errors: the message names the entry and key path, bounded, never Foundation's
        # description of the error (which once asked for 34 GB on damaged input).
        "meta-files-wrong-type": snap.with_changes({}, meta_patch=lambda m: m.update(files="x" * 100_000)),
        "meta-missing-key": snap.with_changes({}, meta_patch=lambda m: m.pop("kind")),
        "config-vectors-wrong-type": snap.with_changes({"config.json": json.dumps(
            {**json.loads(snap.data("config.json")), "params": {
                **json.loads(snap.data("config.json"))["params"], "vectors": "v" * 100_000}}).encode()}),
        "config-not-json": snap.with_changes({"config.json": b"{" + b"\xff" * 50_000}),
        "config-shards-1e9": snap.with_changes({"config.json": json.dumps(
            {**json.loads(snap.data("config.json")), "params": {
                **json.loads(snap.data("config.json"))["params"], "shard_number": 10**9}}).encode()}),
        "shard-json-garbage": snap.with_changes({snap.find("shard.json"): b"\0\0\0"}),
        "shard-json-missing-segment": snap.with_changes({snap.find("shard.json"): json.dumps(
            {**json.loads(snap.data(snap.find("shard.json"))), "segments": ["00000000-0000-0000-0000-000000000000"]}).encode()}),
        # duplicates and clashes
        "duplicate-entry": tar_of([("config.json", b"{}"), ("config.json", b"{}")]),
        "file-then-dir": tar_of([("0", b"x"), ("0/segments", None)]),
        # wrong kinds
        "kind-shard-on-collection": shard,
        "kind-full-on-collection": full,
    }
    out = {k: {"bytes": v, "route": "collection"} for k, v in cases.items()}
    for k, v in segment_json_cases(snap, "segment").items():
        out[k] = {"bytes": v, "route": "collection"}
    for k, v in segment_json_cases(shard_snap, "shard-segment").items():
        out[k] = {"bytes": v, "route": "shard"}
    out["kind-collection-on-shard"] = {"bytes": collection, "route": "shard"}
    for i, (label, cut) in enumerate(snap.boundaries()):
        short = label.rsplit("/", 1)[-1]
        out[f"truncated-{i:02d}-{short}"] = {"bytes": collection[:cut], "route": "collection"}
    return out
