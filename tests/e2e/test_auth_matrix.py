"""Auth matrix (reference §1.2): every REST route × no key, wrong key, read-only key (api-key
header and Bearer), full key, as Qdrant decides: open routes need nothing; read routes need any
valid key (401 without); write and manage routes answer 403 to the read-only key. Streaming a
shard snapshot (`GET …/shards/{id}/snapshot`) is a write (it creates a snapshot)."""

from __future__ import annotations

import pytest
import requests

from qdb_helpers import create_collection, ok, unique, upsert

ADMIN = "matrix-admin"
RO = "matrix-ro"


@pytest.fixture(scope="module")
def setup(module_server_factory):
    srv = module_server_factory(api_key=ADMIN, read_only_api_key=RO)
    admin = srv.api(api_key=ADMIN)
    c = unique("m")
    create_collection(admin, c, size=2, distance="Dot")
    upsert(admin, c, points=[{"id": i, "vector": [i, 1], "payload": {"i": i}} for i in range(1, 4)])
    doomed = unique("doomed")
    create_collection(admin, doomed, size=2, distance="Dot")
    snap = ok(admin.post(f"/collections/{c}/snapshots"))["name"]
    shard_snap = ok(admin.post(f"/collections/{c}/shards/0/snapshots"))["name"]
    full = ok(admin.post("/snapshots"))["name"]
    return srv, c, doomed, snap, shard_snap, full


def routes(c, doomed, snap, shard_snap, full):
    """(method, path, json body, access): "open", "read" or "write"."""
    sh = f"/collections/{c}/shards/0"
    q = {"query": [1, 1], "limit": 1}
    return [
        ("GET", "/", None, "open"),
        ("GET", "/healthz", None, "open"),
        ("GET", "/livez", None, "open"),
        ("GET", "/readyz", None, "open"),
        ("GET", "/metrics", None, "read"),
        ("GET", "/collections", None, "read"),
        ("GET", f"/collections/{c}", None, "read"),
        ("GET", f"/collections/{c}/exists", None, "read"),
        ("GET", "/aliases", None, "read"),
        ("GET", f"/collections/{c}/aliases", None, "read"),
        ("GET", f"/collections/{c}/points/1", None, "read"),
        ("POST", f"/collections/{c}/points", {"ids": [1]}, "read"),
        ("POST", f"/collections/{c}/points/scroll", {}, "read"),
        ("POST", f"/collections/{c}/points/count", {}, "read"),
        ("POST", f"/collections/{c}/points/query", q, "read"),
        ("POST", f"/collections/{c}/points/query/batch", {"searches": [q]}, "read"),
        ("POST", f"/collections/{c}/points/search", {"vector": [1, 1], "limit": 1}, "read"),
        ("GET", f"/collections/{c}/snapshots", None, "read"),
        ("GET", f"/collections/{c}/snapshots/{snap}", None, "read"),
        ("GET", f"{sh}/snapshots", None, "read"),
        ("GET", f"{sh}/snapshots/{shard_snap}", None, "read"),
        ("GET", "/snapshots", None, "read"),
        ("GET", f"/snapshots/{full}", None, "read"),
        ("GET", f"{sh}/snapshot/partial/manifest", None, "read"),
        # the rest of the query API (read routes answered with POST)
        ("POST", f"/collections/{c}/points/query/groups", {**q, "group_by": "i"}, "read"),
        ("POST", f"/collections/{c}/points/search/batch", {"searches": [{"vector": [1, 1], "limit": 1}]}, "read"),
        ("POST", f"/collections/{c}/points/search/groups", {"vector": [1, 1], "limit": 1, "group_by": "i"}, "read"),
        ("POST", f"/collections/{c}/points/recommend", {"positive": [1], "limit": 1}, "read"),
        ("POST", f"/collections/{c}/points/recommend/batch", {"searches": [{"positive": [1], "limit": 1}]}, "read"),
        ("POST", f"/collections/{c}/points/recommend/groups", {"positive": [1], "limit": 1, "group_by": "i"}, "read"),
        ("POST", f"/collections/{c}/points/discover", {"target": 1, "limit": 1}, "read"),
        ("POST", f"/collections/{c}/points/discover/batch", {"searches": [{"target": 1, "limit": 1}]}, "read"),
        ("POST", f"/collections/{c}/points/search/matrix/pairs", {"sample": 2, "limit": 1}, "read"),
        ("POST", f"/collections/{c}/points/search/matrix/offsets", {"sample": 2, "limit": 1}, "read"),
        ("POST", f"/collections/{c}/facet", {"key": "i"}, "read"),
        # lifecycle and dashboard
        ("GET", "/operations", None, "read"),
        ("GET", "/schedules", None, "read"),
        ("GET", "/dashboard", None, "open"),
        ("GET", "/dashboard/status", None, "read"),
        # writes and manage
        ("GET", f"{sh}/snapshot", None, "write"),
        ("PUT", f"/collections/{unique('new')}", {"vectors": {"size": 2, "distance": "Dot"}}, "write"),
        ("PUT", f"/collections/{c}/points?wait=true", {"points": [{"id": 9, "vector": [1, 1]}]}, "write"),
        ("POST", f"/collections/{c}/points/delete?wait=true", {"points": [9]}, "write"),
        ("POST", f"/collections/{c}/points/payload?wait=true", {"payload": {"a": 1}, "points": [1]}, "write"),
        ("PUT", f"/collections/{c}/points/payload?wait=true", {"payload": {"a": 2}, "points": [1]}, "write"),
        ("POST", f"/collections/{c}/points/payload/delete?wait=true", {"keys": ["a"], "points": [1]}, "write"),
        ("POST", f"/collections/{c}/points/payload/clear?wait=true", {"points": [3]}, "write"),
        ("PUT", f"/collections/{c}/index?wait=true", {"field_name": "i", "field_schema": "integer"}, "write"),
        ("DELETE", f"/collections/{c}/index/i?wait=true", None, "write"),
        ("POST", "/collections/aliases", {"actions": []}, "write"),
        ("POST", f"/collections/{c}/snapshots", None, "write"),
        ("PUT", f"/collections/{c}/snapshots/recover", {"location": "nope.snapshot"}, "write"),
        ("POST", f"/collections/{c}/snapshots/upload", None, "write"),
        ("POST", f"{sh}/snapshots", None, "write"),
        ("PUT", f"{sh}/snapshots/recover", {"location": "nope.snapshot"}, "write"),
        ("POST", f"{sh}/snapshots/upload", None, "write"),
        ("POST", f"{sh}/snapshot/partial/create", {}, "write"),
        ("POST", f"{sh}/snapshot/partial/recover", None, "write"),
        ("POST", f"{sh}/snapshot/partial/recover_from", {"peer_url": "http://127.0.0.1:1"}, "write"),
        ("POST", "/snapshots", None, "write"),
        ("DELETE", f"/collections/{c}/snapshots/{snap}", None, "write"),
        ("DELETE", f"{sh}/snapshots/{shard_snap}", None, "write"),
        ("DELETE", f"/snapshots/{full}", None, "write"),
        ("DELETE", f"/collections/{doomed}", None, "write"),
        ("POST", f"/collections/{c}/points/batch?wait=true",
         {"operations": [{"upsert": {"points": [{"id": 8, "vector": [1, 1]}]}}]}, "write"),
        ("DELETE", "/operations/00000000-0000-4000-8000-000000000000", None, "write"),
        ("POST", "/snapshots/prune", {"keep": {"last": 100}, "dry_run": True}, "write"),
    ]


KEYS = [
    ("none", {}),
    ("wrong header", {"api-key": "wrong"}),
    ("wrong bearer", {"Authorization": "Bearer wrong"}),
    ("read-only header", {"api-key": RO}),
    ("read-only bearer", {"Authorization": f"Bearer {RO}"}),
    ("full header", {"api-key": ADMIN}),
]


def expected(access: str, key: str) -> str:
    if access == "open":
        return "allowed"
    if key in ("none", "wrong header", "wrong bearer"):
        return "401"
    if key.startswith("read-only"):
        return "allowed" if access == "read" else "403"
    return "allowed"


def test_auth_matrix(setup):
    srv, c, doomed, snap, shard_snap, full = setup
    table = routes(c, doomed, snap, shard_snap, full)
    assert len(table) >= 45
    wrong = []
    # Denied keys first (they change nothing), then the full key (whose writes do).
    for key, headers in KEYS:
        for method, path, body, access in table:
            r = requests.request(method, srv.url + path, json=body, headers=headers, timeout=30, stream=True)
            got = str(r.status_code) if r.status_code in (401, 403) else "allowed"
            want = expected(access, key)
            if got != want:
                wrong.append(f"{key:17} {method:6} {path}: got {r.status_code} want {want}")
            elif got != "allowed":
                assert r.headers.get("content-type", "").startswith("application/json"), (method, path)
                assert r.json()["status"]["error"]
            r.close()
    assert not wrong, "\n".join(wrong)
    assert srv.running()


def test_bearer_full_key_and_case(setup):
    srv, c, *_ = setup
    r = requests.get(f"{srv.url}/collections/{c}/shards/0/snapshot", headers={"Authorization": f"Bearer {ADMIN}"},
                     timeout=30)
    assert r.status_code == 200 and len(r.content) > 0
