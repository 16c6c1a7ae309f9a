"""The qdrant-edge restore row alone, without the main bench's ingest and index wait:
`python bench/snapshot/edge_restore_only.py [POINTS] [QDB_BINARY]` builds the bench's points
(same BodyMaker, seed 0, 128-d) into an appendable qdrant-edge shard, packs it as a collection
snapshot (restore_rows.pack_edge_collection) and times 3 uploads into a fresh release server
against `openssl dgst -sha256 F && tar xf F`, in alternating order, each after a `sync`."""
import sys, time, tempfile, shutil
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
extract = work / "extract"


def tar_x_ref() -> float:  # as run.py's tar_x_ref
    extract.mkdir()
    dt = R.sh(f"openssl dgst -sha256 {arch} && tar xf {arch} -C {extract}", "openssl+tar x reference")[0]
    shutil.rmtree(extract)
    return dt


pairs = R.Pairs()
for i in range(3):
    R.paired(i, lambda i=i: R.time_it(lambda: RR.upload(base, f"e{i}", arch)), tar_x_ref, pairs)
    n = requests.post(f"{base}/collections/e{i}/points/count", json={"exact": True}).json()["result"]["count"]
    assert n == N, n
    requests.delete(f"{base}/collections/e{i}")
    print(f"round {i}: qdb {pairs.qdb[-1]:.2f} s ref {pairs.ref[-1]:.2f} s ratio {pairs.ratios()[-1]:.2f} count {n}", flush=True)
(qmin, qmed), (rmin, rmed), (amin, amed) = R.mm(pairs.qdb), R.mm(pairs.ref), R.mm(pairs.ratios())
print(f"edge-restore {N:,}: qdb min/med {qmin:.2f}/{qmed:.2f} s, ref {rmin:.2f}/{rmed:.2f} s, ratio {amin:.2f}/{amed:.2f}", flush=True)
stop_server(proc); shutil.rmtree(work)
