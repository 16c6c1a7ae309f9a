"""Qdrant's merge optimizer (`default_segment_number`, `max_segment_size`) in a running server:
small sealed segments are joined into one in the background, and kill -9 while the merge
writes or swaps leaves a loadable shard with every acknowledged point, whose optimizer then
finishes the merge."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from qdb_helpers import ok, unique, wait_collection

N, DIM = 1000, 8
SEAL = {"QDB__STORAGE__APPENDABLE_MAX_POINTS": "200"}  # 5 sealed segments of 200 points


def create(api, name, **optimizers):
    ok(api.put(f"/collections/{name}", json={
        "vectors": {"size": DIM, "distance": "Euclid"},
        # No index: the merge is the only optimization.
        "optimizers_config": {"indexing_threshold": 0, "default_segment_number": 2, **optimizers},
    }))


def load(api, name, x):
    for s in range(0, N, 100):
        pts = [{"id": i, "vector": x[i].tolist(), "payload": {"i": i}} for i in range(s, s + 100)]
        ok(api.put(f"/collections/{name}/points?wait=true", json={"points": pts}))


def wait_segments(api, name, want: int, timeout: float = 60) -> dict:
    return wait_collection(api, name, timeout, segments_count=want)


def all_points(api, name):
    got = ok(api.post(f"/collections/{name}/points", json={"ids": list(range(N)), "with_vector": True, "with_payload": True}))
    return {p["id"]: (p["vector"], p["payload"]) for p in got}


def test_small_segments_merge_and_max_segment_size_limits_them(server_factory):
    x = np.random.default_rng(3).normal(size=(N, DIM)).astype(np.float32)
    srv = server_factory(env=SEAL)
    api = srv.api()
    merged, capped = unique("merge"), unique("capped")
    create(api, merged)
    # 200 points x 8 floats = 6.25 KB a segment: a 13 KB cap lets only pairs merge.
    create(api, capped, max_segment_size=13)
    for name in (merged, capped):
        load(api, name, x)
    # One merged sealed segment (the empty appendable one counts for the plan, as Qdrant's
    # always-present appendable segment, but is not reported).
    info = wait_segments(api, merged, 1)
    assert info["points_count"] == N
    assert all_points(api, merged) == all_points(api, capped)
    time.sleep(3)
    info = ok(api.get(f"/collections/{capped}"))
    assert info["status"] == "green" and info["segments_count"] == 3, info  # 2 pairs + 1 single


@pytest.mark.parametrize("step", ["before_write", "before_swap"])
def test_kill_during_merge_loses_nothing(server_factory, step):
    x = np.random.default_rng(4).normal(size=(N, DIM)).astype(np.float32)
    srv = server_factory(env={**SEAL, f"QDB_FAILPOINT_OPTIMIZER_{step.upper()}_MS": "20000"})
    api = srv.api()
    name = unique("mcrash")
    create(api, name)
    load(api, name, x)
    expected = all_points(api, name)
    segments = srv.storage / "collections" / name / "0" / "segments"
    deadline = time.time() + 60
    while time.time() < deadline:
        listed = json.loads((segments.parent / "shard.json").read_text())["segments"]
        dirs = [d for d in segments.iterdir() if d.is_dir() and not d.name.endswith(".tmp")]
        if len(listed) >= 2 and (step == "before_write" or len(dirs) > len(listed)):
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the merge never reached the failpoint")
    time.sleep(0.5)
    srv.kill()
    srv.env.pop(f"QDB_FAILPOINT_OPTIMIZER_{step.upper()}_MS")
    srv.start()
    api = srv.api()
    assert all_points(api, name) == expected
    wait_segments(api, name, 1)
    assert all_points(api, name) == expected
    listed = set(json.loads((segments.parent / "shard.json").read_text())["segments"])
    assert {d.name for d in segments.iterdir() if d.is_dir()} == listed and len(listed) == 1
