"""Shared helpers for the qdb end-to-end tests.

* QdbServer: start/stop/restart a `qdb serve` process on a free loopback port.
* Api: a small requests.Session wrapper bound to a server (follows it across restarts).
* ok()/err(): check Qdrant's response envelopes.
* Reference implementations (numpy brute-force scoring, a Python re-implementation of
  Qdrant's filter semantics) to check the server's answers against.
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import requests

REPO = Path(__file__).resolve().parents[2]
QDB_BIN = os.path.abspath(os.environ.get("QDB_BIN", str(REPO / ".build" / "debug" / "qdb")))

READY_TIMEOUT = float(os.environ.get("QDB_E2E_READY_TIMEOUT", "60"))
HTTP_TIMEOUT = 60


# --------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The current environment without any QDB__*/QDRANT__* config variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QDB__", "QDRANT__"))}
    env.setdefault("RUST_LOG", "info")  # harmless; keeps logs comparable
    if extra:
        env.update(extra)
    return env


def run_qdb(args: list[str], env: dict[str, str] | None = None, timeout: float = 30,
            cwd: str | Path | None = None) -> subprocess.CompletedProcess:
    """Run `qdb <args>` to completion (for commands expected to exit), capturing output."""
    return subprocess.run([QDB_BIN, *args], env=clean_env(env), cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


class ServerStartError(RuntimeError):
    pass


class QdbServer:
    """One `qdb serve` process with its own storage and snapshots directories.

    By default it is started with explicit flags (--storage, --snapshots-path, --host,
    --http-port). With use_flags=False only `args`, `env` and `config_text` configure it,
    and `port` must be given (it is where the test expects the server to listen).

    gRPC listens on a free port of its own (`grpc_port`), so that servers started side by side
    never contend for the default 6334; a test that configures the gRPC port itself (a
    `--grpc-port` arg, a GRPC_PORT env var, `grpc_port` in the config) gets what it asked for.
    """

    _counter = 0

    def __init__(self, root: Path, *, api_key: str | None = None,
                 read_only_api_key: str | None = None, args: Iterable[str] = (),
                 env: dict[str, str] | None = None, config_text: str | None = None,
                 use_flags: bool = True, port: int | None = None,
                 client_api_key: str | None = None):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.storage = self.root / "storage"
        self.snapshots = self.root / "snapshots"
        self.api_key = api_key
        self.read_only_api_key = read_only_api_key
        self.args = list(args)
        self.env = dict(env or {})
        self.use_flags = use_flags
        self.fixed_port = port
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self.config_path: Path | None = None
        # Key the default Api sends (defaults to the admin key, if any).
        self.client_api_key = client_api_key if client_api_key is not None else api_key
        if config_text is not None:
            self.config_path = self.root / "config.yaml"
            self.config_path.write_text(config_text)
        self.log_path: Path | None = None
        self.starts = 0
        self.grpc_port: int | None = None
        self._grpc_configured = ("--grpc-port" in self.args
                                 or any(k.endswith("__SERVICE__GRPC_PORT") for k in self.env)
                                 or (config_text is not None and "grpc_port" in config_text))

    # ---- lifecycle -------------------------------------------------------------------

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self, port: int) -> list[str]:
        cmd = [QDB_BIN, "serve"]
        if self.use_flags:
            cmd += ["--storage", str(self.storage), "--snapshots-path", str(self.snapshots),
                    "--host", "127.0.0.1", "--http-port", str(port)]
        if self.api_key is not None:
            cmd += ["--api-key", self.api_key]
        if self.read_only_api_key is not None:
            cmd += ["--read-only-api-key", self.read_only_api_key]
        if self.config_path is not None:
            cmd += ["--config", str(self.config_path)]
        if self.use_flags and self.grpc_port is not None:
            cmd += ["--grpc-port", str(self.grpc_port)]
        cmd += self.args
        return cmd

    def _grpc_env(self) -> dict[str, str]:
        if self.use_flags or self.grpc_port is None:
            return self.env
        return {**self.env, "QDB__SERVICE__GRPC_PORT": str(self.grpc_port)}

    def start(self, timeout: float = READY_TIMEOUT) -> "QdbServer":
        if not Path(QDB_BIN).exists():
            raise ServerStartError(f"qdb binary not found at {QDB_BIN} (set QDB_BIN or build it)")
        assert self.proc is None or self.proc.poll() is not None, "already running"
        attempts = 1 if self.fixed_port else 3
        last_error = None
        for _ in range(attempts):
            port = self.fixed_port or free_port()
            try:
                self._launch(port, timeout)
                return self
            except ServerStartError as e:  # e.g. the free port was taken in between
                last_error = e
                if "in use" not in str(e).lower():
                    raise
        raise last_error  # type: ignore[misc]

    def _launch(self, port: int, timeout: float) -> None:
        QdbServer._counter += 1
        self.starts += 1
        self.log_path = self.root / f"server-{self.starts}.log"
        log = open(self.log_path, "wb")
        self.port = port
        if not self._grpc_configured:
            self.grpc_port = free_port()
            while self.grpc_port == port:
                self.grpc_port = free_port()
        self.proc = subprocess.Popen(self.command(port), stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=clean_env(self._grpc_env()),
                                     cwd=self.root)
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            rc = self.proc.poll()
            if rc is not None:
                raise ServerStartError(
                    f"qdb serve exited with code {rc} before becoming ready:\n{self.log_tail()}")
            try:
                r = requests.get(self.url + "/readyz", timeout=2)
                if r.status_code == 200 and self._grpc_ready():
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.stop(signal.SIGKILL)
                raise ServerStartError(
                    f"qdb serve not ready after {timeout}s on port {port}:\n{self.log_tail()}")
            time.sleep(0.05)

    def _grpc_ready(self) -> bool:
        """Whether the gRPC port the helper chose accepts connections (True if it chose none)."""
        if self._grpc_configured or self.grpc_port is None:
            return True
        try:
            with socket.create_connection(("127.0.0.1", self.grpc_port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int | None:
        """Stop the server by its pid; returns its exit code (None if it was not running)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
                if sig != signal.SIGKILL:
                    raise AssertionError(
                        f"qdb serve did not exit within {timeout}s of signal {sig}:\n"
                        f"{self.log_tail()}")
        return self.proc.returncode

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def restart(self, sig: int = signal.SIGTERM) -> "QdbServer":
        self.stop(sig)
        return self.start()

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, chars: int = 6000) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "<no log>"
        data = self.log_path.read_bytes()[-chars:]
        return data.decode("utf-8", "replace")

    def api(self, api_key: str | None = "__default__", bearer: bool = False) -> "Api":
        key = self.client_api_key if api_key == "__default__" else api_key
        return Api(self, api_key=key, bearer=bearer)


# --------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------


class Api:
    """requests.Session bound to a server; paths are relative ("/collections")."""

    def __init__(self, server: QdbServer | str, api_key: str | None = None, bearer: bool = False):
        self.server = server
        self.session = requests.Session()
        if api_key is not None:
            if bearer:
                self.session.headers["Authorization"] = f"Bearer {api_key}"
            else:
                self.session.headers["api-key"] = api_key

    @property
    def base(self) -> str:
        return self.server if isinstance(self.server, str) else self.server.url

    def request(self, method: str, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", HTTP_TIMEOUT)
        return self.session.request(method, self.base + path, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self.request("PUT", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def _describe(r: requests.Response) -> str:
    body = r.text
    if len(body) > 1500:
        body = body[:1500] + "…"
    return f"{r.request.method} {r.request.path_url} -> HTTP {r.status_code}: {body}"


def ok(r: requests.Response) -> Any:
    """Assert a 200 success envelope {"result": …, "status": "ok", "time": float}; return result."""
    assert r.status_code == 200, _describe(r)
    try:
        body = r.json()
    except ValueError:
        raise AssertionError(f"not JSON: {_describe(r)}")
    assert isinstance(body, dict), _describe(r)
    assert body.get("status") == "ok", _describe(r)
    assert "result" in body, _describe(r)
    assert isinstance(body.get("time"), (int, float)) and not isinstance(body["time"], bool), \
        _describe(r)
    return body["result"]


def err(r: requests.Response, *codes: int) -> str:
    """Assert an error envelope {"status": {"error": str}, "time": float} (no "result") with one
    of the given HTTP codes; return the error message."""
    assert r.status_code in codes, f"expected HTTP {codes}, got {_describe(r)}"
    try:
        body = r.json()
    except ValueError:
        raise AssertionError(f"error body is not JSON: {_describe(r)}")
    assert isinstance(body, dict), _describe(r)
    assert "result" not in body, f"error envelope must not have a result key: {_describe(r)}"
    status = body.get("status")
    assert isinstance(status, dict) and isinstance(status.get("error"), str), _describe(r)
    assert status["error"], _describe(r)
    assert isinstance(body.get("time"), (int, float)), _describe(r)
    return status["error"]


def unique(prefix: str = "c") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


# --------------------------------------------------------------------------------------
# Collection / point helpers
# --------------------------------------------------------------------------------------


def create_collection(api: Api, name: str, size: int = 4, distance: str = "Cosine",
                      vectors: Any = None, **extra) -> None:
    body = {"vectors": vectors if vectors is not None else {"size": size, "distance": distance}}
    body.update(extra)
    assert ok(api.put(f"/collections/{name}", json=body)) is True


def upsert(api: Api, name: str, points: list[dict] | None = None, batch: dict | None = None,
           wait: bool = True) -> dict:
    body = {"points": points} if points is not None else {"batch": batch}
    res = ok(api.put(f"/collections/{name}/points", params={"wait": str(wait).lower()}, json=body))
    assert isinstance(res, dict), res
    assert isinstance(res.get("operation_id"), int), res
    assert res.get("status") == ("completed" if wait else "acknowledged"), res
    return res


def count(api: Api, name: str, flt: dict | None = None) -> int:
    body: dict = {"exact": True}
    if flt is not None:
        body["filter"] = flt
    res = ok(api.post(f"/collections/{name}/points/count", json=body))
    assert isinstance(res, dict) and isinstance(res.get("count"), int), res
    return res["count"]


def scroll_all(api: Api, name: str, flt: dict | None = None, with_payload: Any = True,
               with_vector: Any = False, page: int = 1000) -> list[dict]:
    """All points matching the filter, following next_page_offset; checks id ordering."""
    out: list[dict] = []
    offset = None
    for _ in range(100_000):
        body: dict = {"limit": page, "with_payload": with_payload, "with_vector": with_vector}
        if offset is not None:
            body["offset"] = offset
        if flt is not None:
            body["filter"] = flt
        res = ok(api.post(f"/collections/{name}/points/scroll", json=body))
        assert set(res) >= {"points", "next_page_offset"}, res.keys()
        pts = res["points"]
        assert len(pts) <= page
        out.extend(pts)
        offset = res["next_page_offset"]
        if offset is None:
            break
        assert len(pts) == page, "a non-final page must be full"
    keys = [id_sort_key(p["id"]) for p in out]
    assert keys == sorted(keys), "scroll must return points ordered by id"
    assert len(set(keys)) == len(keys), "scroll returned duplicate ids"
    return out


def retrieve(api: Api, name: str, ids: list, with_payload: Any = True,
             with_vector: Any = True) -> list[dict]:
    res = ok(api.post(f"/collections/{name}/points",
                      json={"ids": ids, "with_payload": with_payload, "with_vector": with_vector}))
    assert isinstance(res, list), res
    return res


def id_sort_key(pid: Any):
    """Qdrant orders numeric ids before UUIDs; UUIDs by their 128-bit value."""
    if isinstance(pid, int):
        return (0, pid)
    return (1, uuid.UUID(pid).int)


def norm_id(pid: Any) -> Any:
    """Canonical form of an id as the server returns it (UUIDs lowercase hyphenated)."""
    if isinstance(pid, int):
        return pid
    return str(uuid.UUID(pid))


# --------------------------------------------------------------------------------------
# Vectors and scoring
# --------------------------------------------------------------------------------------


def rand_vectors(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, dim)).astype(np.float32)


def as_json_vec(v: np.ndarray) -> list[float]:
    return [float(x) for x in np.asarray(v, dtype=np.float32)]


def normalized(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    n = np.linalg.norm(v)
    return v if n == 0 else v / n


def ref_scores(distance: str, query, vectors: np.ndarray) -> np.ndarray:
    q = np.asarray(query, dtype=np.float64)
    m = np.asarray(vectors, dtype=np.float64)
    if distance == "Cosine":
        qn = normalized(q)
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        norms[norms == 0] = 1
        return (m / norms) @ qn
    if distance == "Dot":
        return m @ q
    if distance == "Euclid":
        return np.sqrt(((m - q) ** 2).sum(axis=1))
    if distance == "Manhattan":
        return np.abs(m - q).sum(axis=1)
    raise ValueError(distance)


def larger_is_better(distance: str) -> bool:
    return distance in ("Cosine", "Dot")


def close(a: float, b: float, tol: float = 1e-3) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def check_scored(points: list[dict], ids: list, vectors: np.ndarray, query, distance: str,
                 limit: int, offset: int = 0, allowed: set | None = None,
                 score_threshold: float | None = None) -> None:
    """Check a ScoredPoint list against brute force over (ids, vectors).

    Robust against ties: every returned score must equal the true score of that id, the
    list must be sorted, and the returned scores must equal the expected k-th best scores.
    """
    scores = ref_scores(distance, query, vectors)
    sel = [i for i, pid in enumerate(ids) if allowed is None or pid in allowed]
    order = sorted(sel, key=lambda i: -scores[i] if larger_is_better(distance) else scores[i])
    if score_threshold is not None:
        if larger_is_better(distance):
            order = [i for i in order if scores[i] >= score_threshold]
        else:
            order = [i for i in order if scores[i] <= score_threshold]
    expected = order[offset:offset + limit]
    true_by_id = {ids[i]: float(scores[i]) for i in sel}
    assert len(points) == len(expected), (
        f"expected {len(expected)} hits, got {len(points)}: {[p.get('id') for p in points]}")
    seen = set()
    for rank, (p, ei) in enumerate(zip(points, expected)):
        assert set(p) >= {"id", "version", "score"}, p
        assert isinstance(p["version"], int), p
        pid = p["id"]
        assert pid not in seen, f"duplicate id {pid}"
        seen.add(pid)
        assert pid in true_by_id, f"id {pid} should not be in the result (filtered out / unknown)"
        assert close(p["score"], true_by_id[pid]), (
            f"rank {rank}: id {pid} score {p['score']} but brute force gives {true_by_id[pid]}")
        assert close(p["score"], float(scores[ei])), (
            f"rank {rank}: got id {pid} score {p['score']}, expected id {ids[ei]} "
            f"score {float(scores[ei])}")
    got = [p["score"] for p in points]
    if larger_is_better(distance):
        assert all(a >= b - 1e-6 for a, b in zip(got, got[1:])), got
    else:
        assert all(a <= b + 1e-6 for a, b in zip(got, got[1:])), got


def assert_vec_close(got, want, tol: float = 1e-4) -> None:
    got = list(got)
    want = list(want)
    assert len(got) == len(want), (got, want)
    for a, b in zip(got, want):
        assert math.isclose(a, b, rel_tol=tol, abs_tol=tol), (got, want)


# --------------------------------------------------------------------------------------
# Reference filter evaluation (Qdrant semantics, from the official client's local mode)
# --------------------------------------------------------------------------------------

def eval_filter(flt: dict | None, pid, payload: dict | None) -> bool:
    """Qdrant's filter semantics, as the official client's local mode implements them."""
    if flt is None:
        return True
    from qdrant_client.http import models
    from qdrant_client.local.payload_filters import check_filter
    return check_filter(models.Filter(**flt), payload or {}, pid, {})


def dumps(obj) -> str:
    return json.dumps(obj, separators=(",", ":"))


def wait_for(pred, timeout=30, what="condition", every=0.1):
    """Polls `pred` until it returns something truthy (returned), failing after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


def wait_collection(api, name, timeout: float = 60, every: float = 0.2, **want) -> dict:
    """Polls `GET /collections/{name}` until its status is green and every field in `want`
    (e.g. `segments_count=2`, `indexed_vectors_count=500`) has the wanted value; returns the info."""
    last: dict = {}

    def done():
        nonlocal last
        r = api.get(f"/collections/{name}")
        assert r.status_code == 200, r.text
        last = r.json()["result"]
        return last if last["status"] == "green" and all(last.get(k) == v for k, v in want.items()) else None
    try:
        return wait_for(done, timeout=timeout, every=every, what=f"{name} green with {want}")
    except AssertionError as e:
        raise AssertionError(f"{e}: {last}") from None


class StaticPeer:
    """A loopback HTTP peer that answers GET `path` with `payloads[path]` (b"" for any other
    path), for URL recovery tests. Use as a context manager; `url(path)` is its address."""

    def __init__(self, payloads: dict[str, bytes]):
        import http.server
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                data = payloads.get(self.path, b"")
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def __enter__(self) -> "StaticPeer":
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
