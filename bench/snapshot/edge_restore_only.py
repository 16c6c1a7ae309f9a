"""The qdrant-edge restore row alone, without the main bench's ingest and index wait:
`python bench/snapshot/edge_restore_only.py [POINTS] [QDB_BINARY]` builds the bench's points
(same BodyMaker, seed 0, 128-d) into an appendable qdrant-edge shard, packs it as a collection
snapshot (restore_rows.pack_edge_collection) and times 3 uploads into a fresh release server
against `openssl dgst -sha256 F && tar xf F`, in alternating order, each after a `sync`."""
import sys, time, subprocess, tempfile, shutil
from pathlib import Path
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE)); sys.path.insert(0, str(HERE.parent))
import run as R, restore_rows as RR
from benchlib import free_port, start_server, stop_server
import requests
N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
BIN = sys.argv[2] if len(sys.argv) > 2 else str(HERE.parents[1] / ".build/release/qdb")
work = Path(tempfile.mkdtemp())
maker = R.BodyMaker(128, 0)
t = time.perf_counter(); RR.build_edge_shard(maker, N, 128, 1000, work / "edge", False); build = time.perf_counter() - t
arch = RR.pack_edge_collection(work / "edge", 128, work / "edge.snapshot", work / "stage", 0)
shutil.rmtree(work / "edge")
print(f"edge build {build:.1f} s, archive {arch.stat().st_size/2**20:.1f} MiB", flush=True)
port = free_port(); (work / "srv").mkdir(); proc = start_server(BIN, work / "srv", port, work / "server.log")
base = f"http://127.0.0.1:{port}"
q, r = [], []
for i in range(3):
    subprocess.run(["sync"])
    def ref():
        d = work / f"x{i}"; d.mkdir()
        t = time.perf_counter(); subprocess.run(f"openssl dgst -sha256 {arch} >/dev/null && tar xf {arch} -C {d}", shell=True, check=True); dt = time.perf_counter() - t
        shutil.rmtree(d); return dt
    def qdb():
        t = time.perf_counter(); RR.upload(base, f"e{i}", arch); return time.perf_counter() - t
    if i % 2: a = ref(); subprocess.run(["sync"]); b = qdb()
    else: b = qdb(); subprocess.run(["sync"]); a = ref()
    n = requests.post(f"{base}/collections/e{i}/points/count", json={"exact": True}).json()["result"]["count"]
    assert n == N, n
    requests.delete(f"{base}/collections/e{i}")
    q.append(b); r.append(a); print(f"round {i}: qdb {b:.2f} s ref {a:.2f} s ratio {b/a:.2f} count {n}", flush=True)
import statistics as st
rat = [x / y for x, y in zip(q, r)]
print(f"edge-restore 1M: qdb min/med {min(q):.2f}/{st.median(q):.2f} s, ref {min(r):.2f}/{st.median(r):.2f} s, ratio {min(rat):.2f}/{st.median(rat):.2f}", flush=True)
stop_server(proc); shutil.rmtree(work)
