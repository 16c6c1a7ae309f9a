"""A live sealed segment whose files something outside qdb truncates or rewrites in place: the
server keeps serving what it had (its mappings hold read leases whose break copies them to
anonymous memory before the other process may proceed), never dies of SIGBUS, and at the next
start refuses the damaged storage (exit 65) with a message naming the file."""

import json
import os
import time

from qdb_helpers import ServerStartError, create_collection, ok, upsert

DIM = 8


def sealed(srv, name="mapped", n=3000):
    api = srv.api()
    create_collection(api, name, size=DIM, distance="Euclid")
    for start in range(0, n, 1000):
        upsert(api, name, points=[{"id": i, "vector": [float((i * 7 + d) % 13) for d in range(DIM)],
                                   "payload": {"i": i, "tag": f"t{i % 5}"}} for i in range(start, start + 1000)])
    ok(api.post(f"/collections/{name}/snapshots"))  # a create seals the appendable segment
    files = sorted(p for p in (srv.storage / "collections" / name).rglob("*")
                   if p.is_file() and p.stat().st_size > 0 and p.parent.name.startswith(("vector_storage", "payload_storage")))
    assert any(p.name == "matrix.dat" for p in files), files
    return api, files


def answers(api, name="mapped"):
    queries = [[float((q + d) % 11) for d in range(DIM)] for q in range(5)]
    hits = [ok(api.post(f"/collections/{name}/points/query", json={"query": q, "limit": 10}))["points"] for q in queries]
    points = ok(api.post(f"/collections/{name}/points", json={"ids": list(range(0, 3000, 97)), "with_vector": True,
                                                           "with_payload": True}))
    return [[(h["id"], h["score"]) for h in hs] for hs in hits], sorted((p["id"], json.dumps(p["vector"]), json.dumps(p["payload"], sort_keys=True)) for p in points)


def test_truncated_and_rewritten_segment_files_do_not_crash_the_server(server_factory):
    srv = server_factory()
    api, files = sealed(srv)
    before = answers(api)
    for i, path in enumerate(files):
        started = time.monotonic()
        if i % 2 == 0:
            os.truncate(path, 0)  # waits while qdb moves the mapping to memory
        else:
            with open(path, "r+b") as f:
                f.write(b"\xff" * min(4096, path.stat().st_size))
        assert time.monotonic() - started < 30, path
        assert answers(api) == before, path
        assert srv.running(), srv.log_tail()
    assert api.get("/healthz").status_code == 200
    # The next start validates the files again and refuses the damaged storage (exit 65),
    # naming the segment file, as for any damaged segment.
    srv.stop()
    try:
        srv.start()
        raise AssertionError("qdb serve started on a damaged segment")
    except ServerStartError as e:
        assert "exited with code 65" in str(e), str(e)
        assert "is damaged" in str(e) and ("matrix.dat" in str(e) or "payload_storage" in str(e)), str(e)
