"""Error handling: status codes, the error envelope, and that rejected writes change nothing."""

import http.client
import json
import socket

import pytest

from qdb_helpers import (as_json_vec, count, create_collection, err, ok, rand_vectors,
                         retrieve, scroll_all, unique, upsert)


@pytest.fixture
def coll(api):
    name = unique("err")
    create_collection(api, name, size=4, distance="Cosine")
    upsert(api, name, points=[{"id": i, "vector": [1, i, 0, 1], "payload": {"i": i}}
                              for i in range(1, 6)])
    return name


def state(api, name):
    return scroll_all(api, name, with_vector=True)


# ---- malformed bodies ----------------------------------------------------------------------


@pytest.mark.parametrize("method,suffix", [("PUT", "/points"), ("POST", "/points/query"),
                                           ("POST", "/points/scroll"),
                                           ("POST", "/points/delete"),
                                           ("POST", "/points/payload"),
                                           ("POST", "/points/count")])
def test_malformed_json_is_400(api, coll, method, suffix):
    before = state(api, coll)
    for body in (b'{"points": [', b"not json", b'{"filter": {"must": [}}'):
        r = api.request(method, f"/collections/{coll}{suffix}", params={"wait": "true"},
                        data=body, headers={"content-type": "application/json"})
        err(r, 400)
    assert state(api, coll) == before


def test_malformed_json_create_collection(api):
    name = unique("mal")
    r = api.put(f"/collections/{name}", data=b'{"vectors": {"size": 4,',
                headers={"content-type": "application/json"})
    err(r, 400)
    assert ok(api.get(f"/collections/{name}/exists")) == {"exists": False}


def test_wrong_vector_size_upsert(api, coll):
    before = state(api, coll)
    r = api.put(f"/collections/{coll}/points", params={"wait": "true"},
                json={"points": [{"id": 100, "vector": [1, 2, 3]}]})
    msg = err(r, 400)
    assert "dim" in msg.lower() and "4" in msg and "3" in msg, msg
    # A batch where only one point is wrong is rejected whole.
    r = api.put(f"/collections/{coll}/points", params={"wait": "true"},
                json={"points": [{"id": 101, "vector": [1, 2, 3, 4]},
                                 {"id": 102, "vector": [1, 2, 3, 4, 5]}]})
    msg = err(r, 400)
    assert "5" in msg, msg
    r = api.put(f"/collections/{coll}/points", params={"wait": "true"},
                json={"batch": {"ids": [103, 104], "vectors": [[1, 2, 3, 4], [1, 2]]}})
    err(r, 400)
    assert state(api, coll) == before
    assert retrieve(api, coll, [100, 101, 102, 103, 104]) == []


def test_wrong_vector_size_query(api, coll):
    msg = err(api.post(f"/collections/{coll}/points/query", json={"query": [1, 2], "limit": 3}),
              400)
    assert "dim" in msg.lower() and "4" in msg and "2" in msg, msg
    msg = err(api.post(f"/collections/{coll}/points/search",
                       json={"vector": [1, 2, 3, 4, 5], "limit": 3}), 400)
    assert "dim" in msg.lower() and "5" in msg, msg
    # Legacy search requires "limit" (Qdrant's SearchRequest has no default for it).
    err(api.post(f"/collections/{coll}/points/search", json={"vector": [1, 2, 3, 4]}), 400, 422)


@pytest.mark.parametrize("point", [
    {"id": "not-a-uuid", "vector": [1, 2, 3, 4]},
    {"id": -1, "vector": [1, 2, 3, 4]},
    {"id": 1.5, "vector": [1, 2, 3, 4]},
    {"id": 7, "vector": "abcd"},
    {"id": 7, "vector": [1, 2, "x", 4]},
    {"id": 7},
    {"vector": [1, 2, 3, 4]},
    {"id": 7, "vector": [1, 2, 3, 4], "payload": [1, 2]},
], ids=["bad-uuid", "negative-id", "float-id", "vector-string", "vector-item-string",
        "no-vector", "no-id", "payload-array"])
def test_invalid_point_rejected(api, coll, point):
    before = state(api, coll)
    r = api.put(f"/collections/{coll}/points", params={"wait": "true"},
                json={"points": [{"id": 50, "vector": [1, 1, 1, 1]}, point]})
    err(r, 400, 422)
    assert state(api, coll) == before


def test_invalid_batch_rejected(api, coll):
    before = state(api, coll)
    bad = [
        {"batch": {"ids": [1, 2], "vectors": [[1, 2, 3, 4]]}},  # length mismatch
        {"batch": {"ids": [60], "vectors": [[1, 2, 3, 4]], "payloads": [{}, {}]}},
        {},
        {"points": "nope"},
    ]
    for body in bad:
        err(api.put(f"/collections/{coll}/points", params={"wait": "true"}, json=body),
            400, 422)
    assert state(api, coll) == before


def test_unknown_vector_name(api):
    name = unique("nv")
    ok(api.put(f"/collections/{name}", json={"vectors": {"img": {"size": 2,
                                                                  "distance": "Dot"}}}))
    r = api.put(f"/collections/{name}/points", params={"wait": "true"},
                json={"points": [{"id": 1, "vector": {"nope": [1, 2]}}]})
    err(r, 400, 422)
    assert count(api, name) == 0


# ---- collection creation -------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    {"vectors": {"size": 4, "distance": "Cosinus"}},
    {"vectors": {"size": 4, "distance": "cosine_similarity"}},
    {"vectors": {"size": 0, "distance": "Dot"}},
    {"vectors": {"size": -3, "distance": "Dot"}},
    {"vectors": {"size": "four", "distance": "Dot"}},
    {"vectors": {"distance": "Dot"}},
    {"vectors": {"img": {"size": 4, "distance": "Nope"}}},
], ids=["Cosinus", "cosine_similarity", "size0", "size-neg", "size-str", "no-size",
        "named-bad-distance"])
def test_invalid_collection_params(api, body):
    name = unique("inv")
    err(api.put(f"/collections/{name}", json=body), 400, 422)
    assert ok(api.get(f"/collections/{name}/exists")) == {"exists": False}


def _raw(port, method, path, body=b"", headers=None):
    """Send a request without any client-side URL normalization (no dot-segment removal)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        h = {"content-type": "application/json"}
        h.update(headers or {})
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in h.items():
            conn.putheader(k, v)
        conn.putheader("content-length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


BAD_NAMES = ["a%2Fb", "..%2F..%2Fescape", "%2E%2E", "..", ".", "a%00b", "a%01b", "a%0Ab",
             "%1F", "x" * 300]


def _tree(root, ignore):
    return {str(p.relative_to(root)) for p in root.rglob("*")
            if not p.name.startswith("server-") and not p.name.endswith(".log")
            and ignore not in p.parts}


def test_bad_collection_names(server_factory):
    srv = server_factory()
    api = srv.api()
    keep = unique("keep")
    create_collection(api, keep)
    before_tree = _tree(srv.root, keep)
    before_list = ok(api.get("/collections"))
    body = json.dumps({"vectors": {"size": 4, "distance": "Dot"}}).encode()
    # 405 is tolerated too: a server that resolves "/collections/.." to another route
    # (e.g. PUT /) also creates nothing.
    for bad in BAD_NAMES:
        status, resp = _raw(srv.port, "PUT", f"/collections/{bad}", body)
        assert status in (400, 404, 405, 422), (bad, status, resp[:300])
        status, resp = _raw(srv.port, "PUT", f"/collections/{bad}/points?wait=true",
                            json.dumps({"points": [{"id": 1, "vector": [1, 2, 3, 4]}]}).encode())
        assert status in (400, 404, 405, 422), (bad, status, resp[:300])
    assert ok(api.get("/collections")) == before_list
    new = _tree(srv.root, keep) - before_tree
    assert not new, f"bad names created files: {sorted(new)[:20]}"
    # The escape target next to the storage dir does not exist.
    assert not (srv.root / "escape").exists() and not (srv.root.parent / "escape").exists()
    assert count(api, keep) == 0


# ---- missing collection -------------------------------------------------------------------


def test_missing_collection_404(api):
    c = unique("missing")
    calls = [
        ("GET", f"/collections/{c}", None),
        ("PUT", f"/collections/{c}/points", {"points": [{"id": 1, "vector": [1, 2, 3, 4]}]}),
        ("POST", f"/collections/{c}/points", {"ids": [1]}),
        ("GET", f"/collections/{c}/points/1", None),
        ("POST", f"/collections/{c}/points/scroll", {}),
        ("POST", f"/collections/{c}/points/count", {}),
        ("POST", f"/collections/{c}/points/query", {"query": [1, 2, 3, 4]}),
        ("POST", f"/collections/{c}/points/search", {"vector": [1, 2, 3, 4], "limit": 3}),
        ("POST", f"/collections/{c}/points/delete", {"points": [1]}),
        ("POST", f"/collections/{c}/points/payload", {"payload": {"a": 1}, "points": [1]}),
        ("PUT", f"/collections/{c}/points/payload", {"payload": {"a": 1}, "points": [1]}),
        ("POST", f"/collections/{c}/points/payload/delete", {"keys": ["a"], "points": [1]}),
        ("POST", f"/collections/{c}/points/payload/clear", {"points": [1]}),
        ("PUT", f"/collections/{c}/index", {"field_name": "a", "field_schema": "keyword"}),
        ("PATCH", f"/collections/{c}", {}),
    ]
    for method, path, body in calls:
        r = api.request(method, path, params={"wait": "true"}, json=body)
        msg = err(r, 404)
        assert "doesn't exist" in msg, (method, path, msg)
        assert c in msg, (method, path, msg)
    assert ok(api.get(f"/collections/{c}/exists")) == {"exists": False}


def test_missing_point_404(api, coll):
    msg = err(api.get(f"/collections/{coll}/points/999"), 404)
    assert "999" in msg
    err(api.get(f"/collections/{coll}/points/5f2b5d2e-0000-4000-8000-000000000000"), 404)


def test_bad_point_id_in_path(api, coll):
    err(api.get(f"/collections/{coll}/points/not-an-id"), 400, 404, 422)


# ---- request size cap ---------------------------------------------------------------------


def _raw_upsert(port, path, body: bytes, chunked=False):
    """Send a large body and read whatever the server answers, even if it stops reading
    early. Returns the HTTP status, or None when the connection was reset with no reply."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/json\r\nConnection: close\r\n")
    if chunked:
        head += "Transfer-Encoding: chunked\r\n\r\n"
        parts = []
        for i in range(0, len(body), 65536):
            chunk = body[i:i + 65536]
            parts.append(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        payload = head.encode() + b"".join(parts) + b"0\r\n\r\n"
    else:
        payload = head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
    resp = b""
    try:
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            resp += chunk
    finally:
        s.close()
    if not resp.startswith(b"HTTP/1."):
        return None, resp
    return int(resp.split(b" ", 2)[1]), resp


def _points_body(n, dim, start_id):
    vecs = rand_vectors(n, dim, seed=start_id)
    return json.dumps({"points": [{"id": start_id + i, "vector": as_json_vec(v),
                                   "payload": {"pad": "x" * 40}}
                                  for i, v in enumerate(vecs)]}).encode()


def test_request_size_cap(server_factory):
    srv = server_factory(config_text="service:\n  max_request_size_mb: 1\n")
    api = srv.api()
    name = unique("cap")
    create_collection(api, name, size=64, distance="Dot")

    small = _points_body(600, 64, 0)  # ~0.8 MB: under the cap
    assert 600_000 < len(small) < 1_000_000, len(small)
    status, resp = _raw_upsert(srv.port, f"/collections/{name}/points?wait=true", small)
    assert status == 200, resp[:500]
    assert count(api, name) == 600

    big = _points_body(1500, 64, 10_000)  # ~2 MB
    assert len(big) > 2_000_000, len(big)
    for chunked in (False, True):
        status, resp = _raw_upsert(srv.port, f"/collections/{name}/points?wait=true", big,
                                   chunked=chunked)
        assert status in (413, 400), (
            f"chunked={chunked}: expected 413/400 for a 2 MB body with a 1 MB cap, got "
            f"{status}: {resp[:300]!r}")
        assert count(api, name) == 600
    # The server still works afterwards.
    upsert(api, name, points=[{"id": 99999, "vector": [1.0] * 64}])
    assert count(api, name) == 601


def test_default_cap_allows_several_mb(api):
    name = unique("bigok")
    create_collection(api, name, size=128, distance="Dot")
    body = _points_body(3000, 128, 0)  # ~8 MB < default 32 MB
    assert len(body) > 5_000_000
    r = api.put(f"/collections/{name}/points", params={"wait": "true"}, data=body,
                headers={"content-type": "application/json"})
    ok(r)
    assert count(api, name) == 3000
