"""Service routes: GET /, /healthz, /livez, /readyz, /metrics (reference §5)."""

import re

from qdb_helpers import create_collection, ok, unique, upsert


def test_root_reports_version_without_envelope(api):
    r = api.get("/")
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body.get("title"), str) and body["title"], body
    assert body.get("version") == "1.19.0", body
    # No envelope on this route.
    assert "result" not in body and "time" not in body, body


def test_root_version_is_compatible_with_installed_client(qdb):
    import importlib.metadata

    from qdrant_client.common.version_check import get_server_version, is_compatible

    server_version = get_server_version(qdb.url, {}, None, 10)
    client_version = importlib.metadata.version("qdrant-client")
    assert server_version == "1.19.0"
    assert is_compatible(client_version, server_version), (client_version, server_version)


def test_healthz_and_livez(api):
    for path in ("/healthz", "/livez"):
        r = api.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text)
        assert "healthz check passed" in r.text, (path, r.text)
        assert r.headers.get("content-type", "").startswith("text/plain"), r.headers


def test_readyz(api):
    r = api.get("/readyz")
    assert r.status_code == 200, r.text


def _metric_value(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = re.match(rf"^{re.escape(name)}(\{{[^}}]*\}})?\s+(\S+)", line)
        if m:
            return float(m.group(2))
    raise AssertionError(f"metric {name} not found in:\n{text[:3000]}")


def test_metrics_prometheus_text(api):
    r = api.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers.get("content-type", "").startswith("text/plain"), r.headers
    text = r.text
    assert "collections_total" in text
    assert "app_info" in text
    # app_info{name=…,version=…} 1 (which version qdb reports here is its own choice).
    assert re.search(r'^app_info\{(?=[^}]*\bname="[^"]+")(?=[^}]*\bversion="[^"]+")[^}]*\}'
                     r'\s+1(\.0)?\s*$', text, re.M), \
        [ln for ln in text.splitlines() if "app_info" in ln]
    # Every sample line is "name{labels} value" with a numeric value.
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        assert re.match(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?\s+[-+0-9.eEnaNInf]+(\s+\d+)?$",
                        line), f"bad prometheus line: {line!r}"


def test_metrics_collections_total_tracks_collections(api):
    before = _metric_value(api.get("/metrics").text, "collections_total")
    names = [unique("m"), unique("m")]
    for n in names:
        create_collection(api, n)
    after = _metric_value(api.get("/metrics").text, "collections_total")
    assert after == before + 2
    upsert(api, names[0], points=[{"id": i, "vector": [1, 0, 0, i]} for i in range(1, 4)])
    for n in names:
        assert ok(api.delete(f"/collections/{n}")) is True
    assert _metric_value(api.get("/metrics").text, "collections_total") == before


def test_unknown_route_is_404(api):
    r = api.get("/definitely/not/a/route")
    assert r.status_code == 404
