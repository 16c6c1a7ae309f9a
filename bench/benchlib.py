"""Shared pieces of the qdb benchmarks: a release server on a free loopback port, stopped by pid,
and /proc readings of its memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



def proc_status_kib(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None



def start_server(binary: str, root: Path, port: int, log_path: Path,
                 appendable_max: int | None = None,
                 extra_env: dict[str, str] | None = None, grpc_port: int = 0) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QDB__", "QDRANT__"))}
    env.update(extra_env or {})
    if appendable_max:
        env["QDB__STORAGE__APPENDABLE_MAX_POINTS"] = str(appendable_max)
    log = open(log_path, "wb")
    proc = subprocess.Popen([binary, "serve", "--storage", str(root / "storage"),
                             "--snapshots-path", str(root / "snapshots"), "--host", "127.0.0.1",
                             "--http-port", str(port), "--grpc-port", str(grpc_port)],  # 0: REST only, 6334 stays free
                            stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env=env, cwd=root)
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.05)
    proc.kill()
    sys.exit("server not ready after 60s")



def stop_server(proc: subprocess.Popen | None):
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()



def check(r: requests.Response):
    if r.status_code != 200:
        raise SystemExit(f"{r.request.method} {r.request.path_url} -> {r.status_code}: "
                         f"{r.text[:500]}")
    return r.json()["result"]

