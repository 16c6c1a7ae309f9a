"""SIGKILL during bulk loads whose appendable segments fill up and are sealed in the background
(`Shard+BackgroundSeal`): each kill lands at a random point of a freeze, a background write, a
swap or the WAL files' removal. After every restart, every acknowledged point is there with its
vector and payload, and nothing is left in the segments directory that `shard.json` does not list
(once the optimizer is idle)."""

from __future__ import annotations

import json
import os
import random
import threading
import time

import requests

from qdb_helpers import create_collection, ok, wait_collection

SEAL = 10_000  # Shard.backgroundSealMinPoints: the smallest seal that goes to the background
BATCH = 1000
DIM = 4


def vec(i: int) -> list[float]:
    return [float(i % 89), 1.0, float(i % 7), 0.5]


class Loader(threading.Thread):
    """Upserts batches of new ids with wait=true (some deletes in between) until the server dies."""

    def __init__(self, url: str, start: int, acked: dict[int, bool]):
        super().__init__(daemon=True)
        self.url, self.next, self.acked = url, start, acked

    def run(self):
        s = requests.Session()
        while True:
            ids = list(range(self.next, self.next + BATCH))
            self.next += BATCH
            body = json.dumps({"batch": {"ids": ids, "vectors": [vec(i) for i in ids], "payloads": [{"i": i} for i in ids]}})
            try:
                r = s.put(f"{self.url}/collections/c/points?wait=true", data=body,
                          headers={"content-type": "application/json"}, timeout=30)
                if r.status_code != 200:
                    return
                for i in ids:
                    self.acked[i] = True
                # Every third batch deletes a few points of the one before: some land in a
                # frozen segment whose seal is in flight.
                if (ids[0] // BATCH) % 3 == 0 and ids[0] >= BATCH:
                    doomed = list(range(ids[0] - BATCH, ids[0] - BATCH + 20))
                    r = s.post(f"{self.url}/collections/c/points/delete?wait=true", json={"points": doomed}, timeout=30)
                    if r.status_code != 200:
                        return
                    for i in doomed:
                        self.acked[i] = False
            except requests.RequestException:
                return


def unlisted(srv) -> list[str]:
    shard = srv.storage / "collections" / "c" / "0"
    # A shard that has sealed nothing yet has no `shard.json` (`Shard.State.read`): it lists none.
    state = shard / "shard.json"
    listed = set(json.loads(state.read_text())["segments"]) if state.exists() else set()
    return sorted(set(os.listdir(shard / "segments")) - listed)


def test_sigkill_during_background_seals(server_factory):
    seed = int(os.environ.get("QDB_CRASH_SEED", str(random.randrange(1 << 30))))
    rnd = random.Random(seed)
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": str(SEAL)})
    api = srv.api()
    create_collection(api, "c", size=DIM, distance="Euclid")
    acked: dict[int, bool] = {}
    start = 0
    for it in range(6):
        loader = Loader(srv.url, start, acked)
        loader.start()
        delay = rnd.uniform(0.5, 3.0)
        time.sleep(delay)
        srv.kill()
        loader.join(timeout=30)
        start = loader.next + BATCH
        srv.start()
        api = srv.api()
        where = f"seed {seed}, iteration {it}, kill after {delay:.2f}s"
        live = sorted(i for i, alive in acked.items() if alive)
        gone = [i for i, alive in acked.items() if not alive]
        got = {}
        offset = None
        while True:
            body = {"limit": 20_000, "with_payload": True, "with_vector": True}
            if offset is not None:
                body["offset"] = offset
            page = ok(api.post("/collections/c/points/scroll", json=body))
            got.update({p["id"]: p for p in page["points"]})
            offset = page.get("next_page_offset")
            if offset is None:
                break
        missing = [i for i in live if i not in got]
        assert not missing, (where, len(missing), missing[:10])
        assert not [i for i in gone if i in got], where
        bad = [i for i in live if got[i]["payload"] != {"i": i} or got[i]["vector"] != vec(i)]
        assert not bad, (where, bad[:5])
        wait_collection(api, "c", 120)
        assert unlisted(srv) == [], (where, unlisted(srv))
    assert len(acked) >= 3 * SEAL, f"seed {seed}: the loads never filled a segment ({len(acked)} points)"
