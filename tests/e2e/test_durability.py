"""Durability: acknowledged writes survive SIGKILL and SIGTERM restarts, a torn WAL tail does
not prevent startup, and a large collection (sealed segments) with deletes/updates survives
a SIGKILL."""

import signal
import time
import uuid
from pathlib import Path

import numpy as np

from qdb_helpers import (as_json_vec, count, create_collection, ok, rand_vectors, retrieve,
                         scroll_all, unique, upsert)


class Model:
    """What the collection must contain: id -> (vector, payload)."""

    def __init__(self):
        self.points: dict = {}

    def upsert(self, pid, vec, payload=None):
        self.points[pid] = (list(vec), dict(payload or {}))

    def check(self, api, name):
        got = scroll_all(api, name, with_vector=True, page=500)
        got_ids = {p["id"] for p in got}
        want_ids = set(self.points)
        assert got_ids == want_ids, (f"missing {sorted(map(str, want_ids - got_ids))[:20]}, "
                                     f"unexpected {sorted(map(str, got_ids - want_ids))[:20]}")
        for p in got:
            vec, payload = self.points[p["id"]]
            assert np.allclose(np.asarray(p["vector"], dtype=np.float32),
                               np.asarray(vec, dtype=np.float32), rtol=1e-6, atol=1e-7), (
                p["id"], p["vector"], vec)
            assert (p.get("payload") or {}) == payload, (p["id"], p.get("payload"), payload)
        assert count(api, name) == len(want_ids)


def _write_workload(api, name, model: Model, seed=1):
    """A mix of acknowledged (wait=true) writes of every kind, mirrored in the model."""
    rng = np.random.default_rng(seed)
    vecs = rand_vectors(400, 4, seed=seed)
    # points form
    upsert(api, name, points=[{"id": i, "vector": as_json_vec(vecs[i]),
                               "payload": {"i": i, "g": i % 4}} for i in range(0, 200)])
    for i in range(0, 200):
        model.upsert(i, as_json_vec(vecs[i]), {"i": i, "g": i % 4})
    # batch form
    ids = list(range(200, 400))
    upsert(api, name, batch={"ids": ids, "vectors": [as_json_vec(vecs[i]) for i in ids],
                             "payloads": [{"i": i, "g": i % 4} for i in ids]})
    for i in ids:
        model.upsert(i, as_json_vec(vecs[i]), {"i": i, "g": i % 4})
    # UUID ids
    uuids = [str(uuid.UUID(int=int(rng.integers(1, 2**62)) << 64 | k)) for k in range(5)]
    upsert(api, name, points=[{"id": u, "vector": [1.0, 2.0, 3.0, float(k)],
                               "payload": {"u": k}} for k, u in enumerate(uuids)])
    for k, u in enumerate(uuids):
        model.upsert(u, [1.0, 2.0, 3.0, float(k)], {"u": k})
    # overwrite some points
    upsert(api, name, points=[{"id": i, "vector": [float(i), 0.5, -0.5, 1.0],
                               "payload": {"updated": True}} for i in range(10, 20)])
    for i in range(10, 20):
        model.upsert(i, [float(i), 0.5, -0.5, 1.0], {"updated": True})

    def update(method, path, body):
        res = ok(api.request(method, f"/collections/{name}{path}", params={"wait": "true"},
                             json=body))
        assert res["status"] == "completed", res

    # payload operations
    update("POST", "/points/payload", {"payload": {"extra": "x"}, "points": [20, 21]})
    for i in (20, 21):
        model.points[i][1]["extra"] = "x"
    update("POST", "/points/payload", {"payload": {"g3": True},
                                       "filter": {"must": [{"key": "g", "match": {"value": 3}}]}})
    for pid, (_, pl) in model.points.items():
        if pl.get("g") == 3:
            pl["g3"] = True
    update("PUT", "/points/payload", {"payload": {"replaced": 1}, "points": [30]})
    model.points[30] = (model.points[30][0], {"replaced": 1})
    update("POST", "/points/payload/delete", {"keys": ["g"], "points": [40, 41]})
    for i in (40, 41):
        model.points[i][1].pop("g")
    update("POST", "/points/payload/clear", {"points": [50]})
    model.points[50] = (model.points[50][0], {})
    # deletes
    update("POST", "/points/delete", {"points": [60, 61, 62, uuids[0]]})
    for pid in (60, 61, 62, uuids[0]):
        del model.points[pid]
    update("POST", "/points/delete", {"filter": {"must": [{"key": "g", "match": {"value": 1}},
                                                          {"key": "i", "range": {"gte": 300}}]}})
    for pid in [p for p, (_, pl) in model.points.items()
                if pl.get("g") == 1 and pl.get("i", -1) >= 300]:
        del model.points[pid]


def test_sigkill_after_acknowledged_writes(server_factory):
    srv = server_factory()
    api = srv.api()
    name = unique("dur")
    create_collection(api, name, size=4, distance="Dot")
    model = Model()
    _write_workload(api, name, model)
    model.check(api, name)

    srv.stop(signal.SIGKILL)
    srv.start()
    model.check(api, name)
    info = ok(api.get(f"/collections/{name}"))
    assert info["config"]["params"]["vectors"]["distance"] == "Dot"
    assert info["points_count"] == len(model.points)

    # Writes after recovery also persist.
    upsert(api, name, points=[{"id": 1000, "vector": [9, 9, 9, 9], "payload": {"after": 1}}])
    model.upsert(1000, [9, 9, 9, 9], {"after": 1})
    srv.stop(signal.SIGKILL)
    srv.start()
    model.check(api, name)


def test_sigkill_right_after_each_write(server_factory):
    """Kill immediately after the acknowledgement, several times in a row."""
    srv = server_factory()
    api = srv.api()
    name = unique("durk")
    create_collection(api, name, size=2, distance="Dot")
    model = Model()
    for round_ in range(3):
        pts = [{"id": round_ * 10 + k, "vector": [float(round_), float(k)],
                "payload": {"r": round_}} for k in range(10)]
        upsert(api, name, points=pts)
        for p in pts:
            model.upsert(p["id"], p["vector"], p["payload"])
        srv.stop(signal.SIGKILL)
        srv.start()
        model.check(api, name)


def test_wait_false_acknowledged_writes_survive_sigkill(server_factory):
    """`acknowledged` means the operation is in the WAL (UpdateStatus in the OpenAPI)."""
    srv = server_factory()
    api = srv.api()
    name = unique("durnw")
    create_collection(api, name, size=2, distance="Dot")
    model = Model()
    for k in range(5):
        pts = [{"id": k * 100 + j, "vector": [float(k), float(j)]} for j in range(50)]
        upsert(api, name, points=pts, wait=False)
        for p in pts:
            model.upsert(p["id"], p["vector"])
    srv.stop(signal.SIGKILL)
    srv.start()
    deadline = time.monotonic() + 10
    while count(api, name) != len(model.points) and time.monotonic() < deadline:
        time.sleep(0.1)
    model.check(api, name)


def test_sigterm_restart_keeps_everything(server_factory):
    srv = server_factory()
    api = srv.api()
    name = unique("durt")
    create_collection(api, name, size=4, distance="Dot")
    model = Model()
    _write_workload(api, name, model, seed=2)
    ok(api.put(f"/collections/{name}/index", params={"wait": "true"},
               json={"field_name": "g", "field_schema": "integer"}))

    cos = unique("cos")
    create_collection(api, cos, size=3, distance="Cosine")
    upsert(api, cos, points=[{"id": 1, "vector": [3, 0, 4]}])
    named = unique("named")
    ok(api.put(f"/collections/{named}", json={"vectors": {
        "img": {"size": 2, "distance": "Dot"}, "txt": {"size": 3, "distance": "Manhattan"}}}))
    upsert(api, named, points=[{"id": 5, "vector": {"img": [1, 2], "txt": [3, 4, 5]},
                                "payload": {"n": "x"}}])
    gone = unique("gone")
    create_collection(api, gone)
    upsert(api, gone, points=[{"id": 1, "vector": [1, 2, 3, 4]}])
    ok(api.delete(f"/collections/{gone}"))
    sharded = unique("sh")
    create_collection(api, sharded, size=2, distance="Euclid", shard_number=3)
    upsert(api, sharded, points=[{"id": i, "vector": [i, -i]} for i in range(90)])

    rc = srv.stop(signal.SIGTERM)
    assert rc == 0, f"graceful stop should exit 0, got {rc}"
    srv.start()

    model.check(api, name)
    info = ok(api.get(f"/collections/{name}"))
    assert info["payload_schema"].get("g", {}).get("data_type") == "integer", info
    assert count(api, name, {"must": [{"key": "g", "match": {"value": 2}}]}) == sum(
        1 for _, pl in model.points.values() if pl.get("g") == 2)

    rec = retrieve(api, cos, [1])[0]
    assert np.allclose(rec["vector"], [0.6, 0, 0.8], atol=1e-6)
    assert ok(api.get(f"/collections/{cos}"))["config"]["params"]["vectors"]["distance"] == \
        "Cosine"

    rec = retrieve(api, named, [5])[0]
    assert rec["vector"] == {"img": [1, 2], "txt": [3, 4, 5]} and rec["payload"] == {"n": "x"}
    vec_cfg = ok(api.get(f"/collections/{named}"))["config"]["params"]["vectors"]
    assert vec_cfg["txt"]["distance"] == "Manhattan" and vec_cfg["img"]["size"] == 2

    assert ok(api.get(f"/collections/{gone}/exists")) == {"exists": False}
    assert ok(api.get(f"/collections/{sharded}"))["config"]["params"]["shard_number"] == 3
    assert [p["id"] for p in scroll_all(api, sharded)] == list(range(90))
    res = ok(api.post(f"/collections/{sharded}/points/query",
                      json={"query": [10.2, -10.2], "limit": 3}))
    assert [p["id"] for p in res["points"]] == [10, 11, 9]


def _wal_dir(srv, name) -> Path:
    wal = srv.storage / "collections" / name / "0" / "wal"
    assert wal.is_dir(), (f"expected WAL at {wal}; tree: "
                          f"{sorted(str(p.relative_to(srv.storage)) for p in srv.storage.rglob('*'))[:40]}")
    return wal


def test_torn_wal_tail_does_not_prevent_startup(server_factory):
    srv = server_factory()
    api = srv.api()
    name = unique("torn")
    create_collection(api, name, size=4, distance="Dot")
    model = Model()
    vecs = rand_vectors(300, 4, seed=5)
    for s in range(0, 300, 50):
        pts = [{"id": i, "vector": as_json_vec(vecs[i]), "payload": {"i": i}}
               for i in range(s, s + 50)]
        upsert(api, name, points=pts)
        for p in pts:
            model.upsert(p["id"], p["vector"], p["payload"])
    srv.stop(signal.SIGKILL)

    wal = _wal_dir(srv, name)
    files = [p for p in wal.rglob("*") if p.is_file()]
    assert files, f"no files in {wal}"
    # Six small writes stay in the WAL (otherwise this test would not test a torn tail).
    assert sum(p.stat().st_size for p in files) > 0, "WAL is empty after acknowledged writes"
    newest = max(files, key=lambda p: (p.stat().st_mtime_ns, p.name))
    size_before = newest.stat().st_size
    with open(newest, "ab") as f:
        f.write(b"\x17\x00\x00\x00\xde\xad\xbe\xef torn")
    assert newest.stat().st_size == size_before + 13

    srv.start()
    model.check(api, name)

    # The log keeps working after the torn tail: write more, crash again, recover again.
    upsert(api, name, points=[{"id": 5000, "vector": [1, 1, 1, 1], "payload": {"late": True}}])
    model.upsert(5000, [1, 1, 1, 1], {"late": True})
    srv.stop(signal.SIGKILL)
    srv.start()
    model.check(api, name)


def test_torn_wal_short_garbage(server_factory):
    """A tail shorter than any record header (3 bytes) is also a torn record: startup must
    succeed with every acknowledged point."""
    srv = server_factory()
    api = srv.api()
    name = unique("torn2")
    create_collection(api, name, size=2, distance="Dot")
    model = Model()
    pts = [{"id": i, "vector": [float(i), 1.0]} for i in range(20)]
    upsert(api, name, points=pts)
    for p in pts:
        model.upsert(p["id"], p["vector"])
    srv.stop(signal.SIGKILL)
    wal = _wal_dir(srv, name)
    newest = max((p for p in wal.rglob("*") if p.is_file()),
                 key=lambda p: (p.stat().st_mtime_ns, p.name))
    with open(newest, "ab") as f:
        f.write(b"\xff" * 3)  # shorter than any record header
    srv.start()
    model.check(api, name)


LARGE_N = 120_000
LARGE_BATCH = 2_000


def test_large_collection_sealed_segments_sigkill(server_factory):
    srv = server_factory()
    api = srv.api()
    name = unique("large")
    create_collection(api, name, size=4, distance="Dot")
    vecs = rand_vectors(LARGE_N, 4, seed=77)
    bodies = []
    for s in range(0, LARGE_N, LARGE_BATCH):
        ids = list(range(s, s + LARGE_BATCH))
        bodies.append({"batch": {"ids": ids, "vectors": vecs[s:s + LARGE_BATCH].tolist(),
                                 "payloads": [{"g": i % 10} for i in ids]}})
    t0 = time.monotonic()
    for body in bodies:
        res = ok(api.put(f"/collections/{name}/points", params={"wait": "true"}, json=body))
        assert res["status"] == "completed"
    ingest_s = time.monotonic() - t0
    assert count(api, name) == LARGE_N

    expected_vecs = {i: vecs[i] for i in range(LARGE_N)}
    expected_payload = {i: {"g": i % 10} for i in range(LARGE_N)}
    # Deletes spread over all segments.
    deleted = list(range(0, LARGE_N, 97))
    for s in range(0, len(deleted), 500):
        ok(api.post(f"/collections/{name}/points/delete", params={"wait": "true"},
                    json={"points": deleted[s:s + 500]}))
    for i in deleted:
        del expected_vecs[i], expected_payload[i]
    # Updates (vector + payload) spread over all segments.
    updated = [i for i in range(5, LARGE_N, 101) if i in expected_vecs]
    upd_vecs = rand_vectors(len(updated), 4, seed=78)
    upsert(api, name, batch={"ids": updated, "vectors": upd_vecs.tolist(),
                             "payloads": [{"g": -1, "u": True} for _ in updated]})
    for i, v in zip(updated, upd_vecs):
        expected_vecs[i] = v
        expected_payload[i] = {"g": -1, "u": True}
    # Payload-only update by filter.
    ok(api.post(f"/collections/{name}/points/payload", params={"wait": "true"},
                json={"payload": {"seven": 1},
                      "filter": {"must": [{"key": "g", "match": {"value": 7}}]}}))
    for i, pl in expected_payload.items():
        if pl.get("g") == 7:
            pl["seven"] = 1
    # A last few small writes that touch sealed points, so the kill also leaves a WAL tail
    # on top of the sealed segments.
    tail_upd = [i for i in range(7, LARGE_N, 9973) if i in expected_vecs][:10]
    upsert(api, name, points=[{"id": i, "vector": [0.5, 0.25, float(k), -1.0],
                               "payload": {"tail": k}} for k, i in enumerate(tail_upd)])
    for k, i in enumerate(tail_upd):
        expected_vecs[i] = np.array([0.5, 0.25, float(k), -1.0], dtype=np.float32)
        expected_payload[i] = {"tail": k}
    tail_del = [i for i in range(11, LARGE_N, 11987) if i in expected_vecs
                and i not in tail_upd][:10]
    ok(api.post(f"/collections/{name}/points/delete", params={"wait": "true"},
                json={"points": tail_del}))
    for i in tail_del:
        del expected_vecs[i], expected_payload[i]
    ok(api.post(f"/collections/{name}/points/payload", params={"wait": "true"},
                json={"payload": {"late": True}, "points": tail_upd[:3]}))
    for i in tail_upd[:3]:
        expected_payload[i]["late"] = True
    assert count(api, name) == len(expected_vecs)
    segments = ok(api.get(f"/collections/{name}"))["segments_count"]

    srv.stop(signal.SIGKILL)
    srv.start(timeout=300)

    info = ok(api.get(f"/collections/{name}"))
    assert info["points_count"] == len(expected_vecs)
    got = scroll_all(api, name, with_vector=True, page=10_000)
    assert len(got) == len(expected_vecs)
    got_ids = np.array([p["id"] for p in got])
    assert np.array_equal(got_ids, np.array(sorted(expected_vecs)))
    got_vecs = np.array([p["vector"] for p in got], dtype=np.float32)
    want_vecs = np.array([expected_vecs[i] for i in got_ids], dtype=np.float32)
    bad = np.where(~np.isclose(got_vecs, want_vecs, rtol=1e-6, atol=1e-7).all(axis=1))[0]
    assert len(bad) == 0, f"{len(bad)} vectors differ, e.g. id {got_ids[bad[0]]}"
    for p in got:
        assert p["payload"] == expected_payload[p["id"]], (p["id"], p["payload"])
    assert count(api, name, {"must": [{"key": "u", "match": {"value": True}}]}) == len(updated)
    # Queries see the recovered state.
    res = ok(api.post(f"/collections/{name}/points/query",
                      json={"query": [1, 0, 0, 0], "limit": 5}))
    ids = list(expected_vecs)
    allv = np.array([expected_vecs[i] for i in ids], dtype=np.float64)
    best = [ids[j] for j in np.argsort(-allv[:, 0], kind="stable")[:5]]
    assert [p["id"] for p in res["points"]] == best
    print(f"\ningest {LARGE_N} pts: {ingest_s:.1f}s; segments before kill: {segments}; "
          f"after restart: {info['segments_count']}")
