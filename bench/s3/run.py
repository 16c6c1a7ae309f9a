#!/usr/bin/env python3
"""S3 snapshot benchmark: a ~1 GiB collection snapshot streamed to moto_server by `qdb serve`
(`snapshots_storage: s3`), then downloaded and recovered from S3. Reports, per operation, the
local disk the server used during the transfer (bytes under its root and temp dir, sampled every
20 ms, minus the size before) and its peak RSS minus the RSS just before (VmHWM reset through
/proc/<pid>/clear_refs), against the targets: no temp copy of the archive, and
peak RSS - idle <= 2 x part size + 64 MiB.

    .venv/bin/python bench/s3/run.py                      # 1 GiB, 32 MiB parts
    .venv/bin/python bench/s3/run.py --gib 0.1 --part-mb 8  # smoke run
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
from benchlib import check, free_port, proc_status_kib, start_server, stop_server  # noqa: E402

MiB = 1 << 20


def dir_bytes(*paths: Path) -> int:
    """Blocks allocated under `paths`, each inode once (a snapshot's capture hard-links segment
    files: no new data)."""
    seen: dict[tuple[int, int], int] = {}
    for root in paths:
        for dirpath, _, files in os.walk(root):
            for f in files:
                try:
                    st = os.lstat(os.path.join(dirpath, f))
                except OSError:
                    continue
                seen[(st.st_dev, st.st_ino)] = st.st_blocks * 512
    return sum(seen.values())


class Probe:
    """Peak RSS (VmHWM after a clear_refs reset) and peak local disk growth during one operation."""

    def __init__(self, pid: int, paths: list[Path]):
        self.pid, self.paths = pid, paths

    def __enter__(self):
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        self.idle_kib = proc_status_kib(self.pid, "VmRSS")
        self.disk0 = dir_bytes(*self.paths)
        self.disk_peak = self.disk0
        self.stop = threading.Event()

        def sample():
            while not self.stop.is_set():
                self.disk_peak = max(self.disk_peak, dir_bytes(*self.paths))
                time.sleep(0.02)
        self.thread = threading.Thread(target=sample, daemon=True)
        self.thread.start()
        self.t0 = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.t0
        self.stop.set()
        self.thread.join()
        self.rss_delta_mib = (proc_status_kib(self.pid, "VmHWM") - self.idle_kib) / 1024
        self.disk_delta_mib = (self.disk_peak - self.disk0) / MiB


def start_moto(root: Path) -> tuple[subprocess.Popen, str]:
    binary = Path(sys.executable).parent / "moto_server"
    port = free_port()
    log = open(root / "moto.log", "wb")
    proc = subprocess.Popen([str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT,
                            env=dict(os.environ, TMPDIR=str(root / "moto-tmp")))
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline:
                sys.exit("moto_server did not start")
            time.sleep(0.1)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gib", type=float, default=1.0, help="payload bytes to ingest (GiB)")
    ap.add_argument("--part-mb", type=int, default=32)
    ap.add_argument("--binary", default=str(REPO / ".build" / "release" / "qdb"))
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="qdb-bench-s3-"))
    (root / "moto-tmp").mkdir()
    (root / "tmp").mkdir()
    moto = server = None
    try:
        moto, url = start_moto(root)
        requests.put(f"{url}/bench").raise_for_status()
        env = {"QDB__STORAGE__SNAPSHOTS_CONFIG__SNAPSHOTS_STORAGE": "s3",
               "QDB__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__BUCKET": "bench",
               "QDB__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__ENDPOINT_URL": url,
               "QDB__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__ACCESS_KEY": "bench",
               "QDB__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__SECRET_KEY": "bench",
               "QDB__STORAGE__SNAPSHOTS_CONFIG__S3_CONFIG__PART_SIZE_MB": str(args.part_mb),
               "TMPDIR": str(root / "tmp")}
        port = free_port()
        server = start_server(args.binary, root, port, root / "server.log", extra_env=env)
        base = f"http://127.0.0.1:{port}"
        s = requests.Session()
        check(s.put(f"{base}/collections/c", json={"vectors": {"size": 4, "distance": "Dot"}}))
        per_point, batch = 16 * 1024, 256
        n = int(args.gib * (1 << 30)) // per_point
        t0 = time.monotonic()
        for start in range(0, n, batch):
            pts = [{"id": i, "vector": [1, 2, 3, i % 7], "payload": {"b": f"{i:08d}" * (per_point // 8)}}
                   for i in range(start, min(n, start + batch))]
            check(s.put(f"{base}/collections/c/points?wait=true", json={"points": pts}))
        print(f"ingested {n} points ({n * per_point / (1 << 30):.2f} GiB payload) in {time.monotonic() - t0:.0f} s", flush=True)
        # Warm-up: the first snapshot seals the in-memory appendable segment into storage, which
        # is storage growth, not transfer; it is deleted before measuring.
        warm = check(s.post(f"{base}/collections/c/snapshots?wait=true", timeout=3600))
        check(s.delete(f"{base}/collections/c/snapshots/{warm['name']}"))
        watched = [root / "storage", root / "snapshots", root / "tmp"]
        rows = []
        with Probe(server.pid, watched) as p:
            desc = check(s.post(f"{base}/collections/c/snapshots?wait=true", timeout=3600))
        rows.append(("create → S3 (multipart)", desc["size"], p))
        with Probe(server.pid, watched) as p:
            r = s.get(f"{base}/collections/c/snapshots/{desc['name']}", stream=True, timeout=3600)
            got = sum(len(chunk) for chunk in r.iter_content(1 << 20))
        assert r.status_code == 200 and got == desc["size"], (r.status_code, got)
        rows.append(("download ← S3 (streamed)", got, p))
        with Probe(server.pid, watched) as p:
            check(s.put(f"{base}/collections/c2/snapshots/recover", timeout=3600,
                        json={"location": f"s3://bench/snapshots/c/{desc['name']}", "api_key": "bench:bench"}))
        assert check(s.post(f"{base}/collections/c2/points/count", json={"exact": True}))["count"] == n
        rows.append(("recover ← S3 (into unpacker)", desc["size"], p))
        target_rss = 2 * args.part_mb + 64
        print(f"\npart size {args.part_mb} MiB; targets: local disk of the transfer ≈ 0 (no temp copy), "
              f"peak RSS − idle ≤ {target_rss} MiB\n")
        print("| operation | archive | time | MiB/s | local disk used | peak RSS − idle |")
        print("|---|---|---|---|---|---|")
        for what, size, p in rows:
            disk = f"{p.disk_delta_mib:.1f} MiB" + (" (restored collection)" if what.startswith("recover") else "")
            ok = "✓" if p.rss_delta_mib <= target_rss else "✗"
            print(f"| {what} | {size / MiB:.0f} MiB | {p.seconds:.1f} s | {size / MiB / p.seconds:.0f} | {disk} | "
                  f"{p.rss_delta_mib:.0f} MiB {ok} |")
        return 0
    finally:
        stop_server(server)
        if moto is not None and moto.poll() is None:
            os.kill(moto.pid, signal.SIGTERM)
            moto.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
