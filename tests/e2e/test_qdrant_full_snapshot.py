"""A full-storage snapshot in Qdrant's layout (reference §2.7: nested collection snapshots at the
root and a pretty `config.json` with `collections_mapping` and `collections_aliases`, no
`qdb.json` anywhere) restores at startup with `qdb serve --storage-snapshot`, with or without
`collections_aliases` (Qdrant's default `{}`), and `qdb verify` checks it by structure."""

import io
import json
import tarfile

from qdb_helpers import count, create_collection, ok, run_qdb, upsert


def without_meta(blob: bytes) -> bytes:
    """A qdb archive as Qdrant would send it: every member but qdb.json, in order."""
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(blob)) as src, tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as t:
        for m in src.getmembers():
            if m.name != "qdb.json":
                t.addfile(m, src.extractfile(m) if m.isfile() else None)
    return out.getvalue()


def qdrant_full(nested: dict[str, tuple[str, bytes]], aliases: dict[str, str] | None) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as t:
        for _, (entry, data) in sorted(nested.items()):
            info = tarfile.TarInfo(entry)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        config = {"collections_mapping": {c: e for c, (e, _) in nested.items()}}
        if aliases is not None:
            config["collections_aliases"] = aliases
        data = json.dumps(config, indent=2).encode()
        info = tarfile.TarInfo("config.json")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return out.getvalue()


def points(api, name):
    r = ok(api.post(f"/collections/{name}/points/scroll", json={"limit": 100, "with_vector": True}))["points"]
    return sorted((p["id"], json.dumps(p["vector"]), json.dumps(p["payload"], sort_keys=True)) for p in r)


def test_qdrant_layout_full_snapshot_restores_at_startup(server_factory, tmp_path):
    src = server_factory()
    api = src.api()
    nested, want = {}, {}
    for name, n in (("qa", 20), ("qb", 7)):
        create_collection(api, name, size=4, distance="Dot")
        upsert(api, name, points=[{"id": i, "vector": [1.0, float(i), 0.5, 2.0], "payload": {"i": i}} for i in range(n)])
        snap = ok(api.post(f"/collections/{name}/snapshots"))["name"]
        nested[name] = (snap, without_meta(api.get(f"/collections/{name}/snapshots/{snap}").content))
        want[name] = points(api, name)
    for aliases in ({"qa_alias": "qa"}, None):
        path = tmp_path / f"full-{aliases is None}.snapshot"
        path.write_bytes(qdrant_full(nested, aliases))
        with tarfile.open(path) as t:
            assert "qdb.json" not in t.getnames()
        r = run_qdb(["verify", "--json", str(path)])
        assert r.returncode == 0, r.stdout + r.stderr
        report = json.loads(r.stdout)[0]
        assert report["kind"] == "full" and report["points"] == 27, report
        srv = server_factory(start=False)
        srv.args = ["--storage-snapshot", str(path)]
        srv.start()
        restored = srv.api()
        for name in nested:
            assert points(restored, name) == want[name]
        if aliases:
            assert count(restored, "qa_alias") == 20
        else:
            assert ok(restored.get("/aliases"))["aliases"] == []
        srv.stop()
