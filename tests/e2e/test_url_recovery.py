"""Recovery from http(s) URLs: streamed through libcurl into the unpacker, api_key forwarded."""

import threading
import http.server

from qdb_helpers import StaticPeer, count, create_collection, err, ok, unique, upsert


def test_recover_from_peer_url_with_api_key(server_factory):
    peer = server_factory(api_key="peer-key")
    papi = peer.api()
    name = unique("url")
    create_collection(papi, name, size=2, distance="Dot")
    upsert(papi, name, points=[{"id": i, "vector": [i, 1]} for i in range(33)])
    desc = ok(papi.post(f"/collections/{name}/snapshots"))
    url = f"{peer.url}/collections/{name}/snapshots/{desc['name']}"

    local = server_factory()
    api = local.api()
    body = {"location": url, "api_key": "peer-key", "checksum": desc["checksum"]}
    assert ok(api.put("/collections/copy/snapshots/recover", json=body)) is True
    assert count(api, "copy") == 33
    # Without the peer's key: the peer's 401 is reported, nothing is created.
    msg = err(api.put("/collections/other/snapshots/recover", json={"location": url}), 400)
    assert "401" in msg
    msg = err(api.put("/collections/other/snapshots/recover",
                      json={"location": url.replace(desc["name"], "nope.snapshot"), "api_key": "peer-key"}), 400)
    assert "404" in msg
    err(api.put("/collections/other/snapshots/recover", json={"location": "http://127.0.0.1:1/x.snapshot"}), 400)
    assert not ok(api.get("/collections/other/exists"))["exists"]


def test_hostile_server_body_is_rejected(server_factory, tmp_path):
    """A peer that answers 200 with garbage or a truncated archive: refused, collection unchanged."""
    payloads = {"/garbage": b"\x00garbage" * 5000, "/empty": b""}

    with StaticPeer(payloads) as peer:
        local = server_factory()
        api = local.api()
        create_collection(api, "keep", size=2, distance="Dot")
        upsert(api, "keep", points=[{"id": 1, "vector": [1, 1]}])
        for path in payloads:
            err(api.put("/collections/keep/snapshots/recover",
                        json={"location": peer.url(path)}), 400)
        assert count(api, "keep") == 1


def test_url_recovery_can_be_disabled(server_factory):
    local = server_factory(config_text="service:\n  enable_snapshot_url_recovery: false\n")
    api = local.api()
    err(api.put("/collections/c/snapshots/recover", json={"location": "http://127.0.0.1:1/x.snapshot"}), 403)


def test_trickling_peer_hits_the_total_deadline(server_factory):
    """A peer that sends one byte a second never trips the idle timeout; the total deadline
    (service.url_recovery_timeout_sec) ends the recovery with 400, leaving nothing behind."""
    import time

    stop = threading.Event()

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(1 << 20))
            self.end_headers()
            try:
                while not stop.is_set():
                    self.wfile.write(b"\0")
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                pass

        def log_message(self, *a):
            pass

    peer = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=peer.serve_forever, daemon=True).start()
    try:
        local = server_factory(config_text="service:\n  url_recovery_timeout_sec: 3\n")
        api = local.api()
        create_collection(api, "keep", size=2, distance="Dot")
        upsert(api, "keep", points=[{"id": 1, "vector": [1, 1]}])
        started = time.monotonic()
        msg = err(api.put("/collections/keep/snapshots/recover",
                          json={"location": f"http://127.0.0.1:{peer.server_address[1]}/x.snapshot"}, timeout=60), 400)
        assert time.monotonic() - started < 20
        assert "timed out" in msg.lower() or "too slow" in msg.lower(), msg
        assert count(api, "keep") == 1
        tmp = local.storage / "tmp"
        assert not any(tmp.iterdir())
    finally:
        stop.set()
        peer.shutdown()


def test_s3_location_needs_s3_configured(server_factory):
    """Without S3 configured, an s3:// location is a clear 400, and no request leaves the host
    (the AWS endpoint variables point at a listener that must never be called)."""
    hits = []

    class Trap(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_HEAD = do_PUT = do_POST = do_GET

        def log_message(self, *a):
            pass

    trap = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trap)
    threading.Thread(target=trap.serve_forever, daemon=True).start()
    try:
        local = server_factory(env={"AWS_ENDPOINT_URL": f"http://127.0.0.1:{trap.server_address[1]}",
                                    "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_REGION": "us-east-1"})
        api = local.api()
        for route in ("/collections/c/snapshots/recover", "/collections/c/shards/0/snapshots/recover"):
            msg = err(api.put(route, json={"location": "s3://bucket/snapshots/c/x.snapshot"}), 400, 404)
            if "s3" in msg.lower():
                assert "configured" in msg, msg
        msg = err(api.put("/collections/c/snapshots/recover", json={"location": "s3://bucket/x.snapshot"}), 400)
        assert "S3 configured" in msg, msg
        assert hits == []
        assert not ok(api.get("/collections/c/exists"))["exists"]
    finally:
        trap.shutdown()
