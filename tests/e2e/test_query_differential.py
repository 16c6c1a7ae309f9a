"""Differential tests: seeded, generated workloads run against qdb (REST, and gRPC where qdb
serves the RPC) and against the official client's local mode (`QdrantClient(":memory:")`,
Qdrant's semantics written in Python). Ids must agree exactly (ties compared as sets), scores
within 1e-4. Every failure names its seed and case; rerun one seed with QDB_DIFF_SEED=N.

Generated: random nested payloads (arrays, nulls, nested objects, datetimes, geo points, text),
random filters over them (every condition kind), every query kind and prefetch/fusion/formula/
groups combinations, payload selectors, and payload edits (set with key paths, delete by
paths, overwrite, clear, by ids and by filter, points/batch).
"""

from __future__ import annotations

import os
import random
import uuid

import pytest
from qdrant_client import QdrantClient, models

N = 48
DIM = 4
SEEDS = [int(os.environ["QDB_DIFF_SEED"])] if os.environ.get("QDB_DIFF_SEED") else [11, 12, 13]
CASES = int(os.environ.get("QDB_DIFF_CASES", "60"))
WORDS = ["red", "green", "blue", "fox", "dog", "quick", "lazy", "river", "stone"]
DISTANCES = [models.Distance.COSINE, models.Distance.DOT, models.Distance.EUCLID, models.Distance.MANHATTAN]


# ---- generated data ---------------------------------------------------------------------


def rand_scalar(r: random.Random):
    return r.choice([r.randint(-3, 3), round(r.uniform(-3, 3), 3), r.choice(WORDS), r.random() < 0.5, None])


def rand_payload(r: random.Random, i: int) -> dict:
    p: dict = {"num": round(r.uniform(-100, 100), 4) + i * 1e-4, "grp": r.choice([1, 2, 3, "x", "y"])}
    if r.random() < 0.8:
        p["k"] = r.choice([rand_scalar(r), [rand_scalar(r) for _ in range(r.randint(0, 3))]])
    t = r.random()
    if t < 0.15:
        p["tags"] = []
    elif t < 0.25:
        p["tags"] = None
    elif t < 0.35:
        p["tags"] = [None, r.choice(WORDS)]
    elif t < 0.9:
        p["tags"] = r.sample(WORDS, r.randint(1, 3))
    if r.random() < 0.8:
        nest: dict = {"x": r.randint(0, 9)}
        if r.random() < 0.7:
            nest["y"] = [r.randint(0, 5) for _ in range(r.randint(0, 3))]
        if r.random() < 0.8:
            nest["arr"] = [{"a": r.randint(0, 3), "b": r.choice(WORDS)} for _ in range(r.randint(0, 3))]
        p["nest"] = nest
    if r.random() < 0.7:
        p["dt"] = f"2024-0{r.randint(1, 9)}-{r.randint(10, 28)}T{r.randint(10, 23)}:{r.randint(10, 59)}:00Z"
    if r.random() < 0.7:
        p["geo"] = {"lat": round(r.uniform(40, 60), 4), "lon": round(r.uniform(-10, 30), 4)}
    if r.random() < 0.8:
        p["txt"] = " ".join(r.choice(WORDS).capitalize() if r.random() < 0.2 else r.choice(WORDS)
                            for _ in range(r.randint(1, 5)))
    if r.random() < 0.3:
        p["a.b"] = r.randint(0, 2)
    return p


KEYS = ["k", "tags", "tags[]", "nest.x", "nest.y", "nest.y[1]", "nest.arr[].a", "nest.arr[0].a",
        "nest.arr[].b", "grp", '"a.b"', "missing", "nest"]


def rand_condition(r: random.Random, depth: int, named: bool) -> dict:
    kind = r.choice(["value", "any", "except", "text", "text_any", "phrase", "range", "dt", "geo_radius",
                     "geo_box", "geo_poly", "values_count", "is_empty", "is_null", "field_is_empty",
                     "has_id", "nested", "filter", "has_vector"] if depth < 2 else
                    ["value", "any", "range", "is_empty", "has_id", "values_count"])
    key = r.choice(KEYS)
    if kind == "value":
        return {"key": key, "match": {"value": r.choice([r.randint(-3, 3), r.choice(WORDS), True, False])}}
    if kind == "any":
        return {"key": key, "match": {"any": r.choice([r.sample(WORDS, 2), [r.randint(-3, 3), r.randint(0, 5)]])}}
    if kind == "except":
        return {"key": key, "match": {"except": r.choice([r.sample(WORDS, 2), [r.randint(-3, 3)]])}}
    if kind in ("text", "text_any", "phrase"):
        return {"key": "txt", "match": {kind: " ".join(r.sample(WORDS, r.randint(1, 2)))}}
    if kind == "range":
        lo = r.uniform(-5, 5)
        b = r.choice([{"gt": lo}, {"gte": lo, "lt": lo + 4}, {"lte": lo}, {"gt": lo - 50, "lt": lo + 50}])
        return {"key": r.choice(["k", "num", "nest.x", "nest.y", "nest.y[]", "nest.arr[].a"]), "range": b}
    if kind == "dt":
        m = r.randint(2, 8)
        return {"key": "dt", "range": r.choice([{"gte": f"2024-0{m}-01T00:00:00Z"}, {"lt": f"2024-0{m}-15T00:00:00+02:00"},
                                               {"gt": f"2024-0{m}-01", "lte": f"2024-0{m + 1}-20 12:00:00"}])}
    if kind == "geo_radius":
        return {"key": "geo", "geo_radius": {"center": {"lat": r.uniform(45, 55), "lon": r.uniform(0, 20)},
                                             "radius": r.uniform(1e5, 1e6)}}
    if kind == "geo_box":
        la, lo = r.uniform(45, 55), r.uniform(0, 20)
        return {"key": "geo", "geo_bounding_box": {"top_left": {"lat": la + 5, "lon": lo - 8},
                                                   "bottom_right": {"lat": la - 5, "lon": lo + 8}}}
    if kind == "geo_poly":
        la, lo = r.uniform(45, 55), r.uniform(0, 20)
        pts = [{"lat": la - 6, "lon": lo - 9}, {"lat": la + 6, "lon": lo - 9}, {"lat": la + 6, "lon": lo + 9},
               {"lat": la - 6, "lon": lo + 9}, {"lat": la - 6, "lon": lo - 9}]
        return {"key": "geo", "geo_polygon": {"exterior": {"points": pts}}}
    if kind == "values_count":
        n = r.randint(0, 3)
        return {"key": key, "values_count": r.choice([{"gte": n}, {"lt": n}, {"gt": n, "lte": n + 1}])}
    if kind == "is_empty":
        return {"is_empty": {"key": key}}
    if kind == "is_null":
        return {"is_null": {"key": key}}
    if kind == "field_is_empty":
        return {"key": key, r.choice(["is_empty", "is_null"]): r.random() < 0.5}
    if kind == "has_id":
        return {"has_id": r.sample(range(1, N + 1), r.randint(1, 10))}
    if kind == "has_vector":
        return {"has_vector": "b"} if named else {"has_id": [1, 2, 3]}
    if kind == "nested":
        return {"nested": {"key": r.choice(["nest.arr", "nest.arr[]"]), "filter": {
            "must": [{"key": "a", "match": {"value": r.randint(0, 3)}}] +
                    ([{"key": "b", "match": {"any": r.sample(WORDS, 3)}}] if r.random() < 0.5 else [])}}}
    return rand_filter(r, depth + 1, named)


def rand_filter(r: random.Random, depth: int = 0, named: bool = False) -> dict:
    f: dict = {}
    for clause in ("must", "should", "must_not"):
        if r.random() < 0.5:
            conds = [rand_condition(r, depth, named) for _ in range(r.randint(1, 2))]
            f[clause] = conds[0] if len(conds) == 1 and r.random() < 0.3 else conds
    if r.random() < 0.15:
        f["min_should"] = {"conditions": [rand_condition(r, depth + 1, named) for _ in range(3)],
                           "min_count": r.randint(1, 2)}
    return f


def rand_vec(r: random.Random, dim: int = DIM) -> list[float]:
    return [round(r.uniform(-1, 1), 4) for _ in range(dim)]


# ---- the two sides ----------------------------------------------------------------------


class Pair:
    """A collection built identically in qdb and in local mode."""

    def __init__(self, qdb_client: QdrantClient, seed: int, named: bool):
        self.r = random.Random(seed)
        self.seed = seed
        self.named = named
        self.remote = qdb_client
        self.local = QdrantClient(":memory:")
        self.name = f"diff_{seed}_{'named' if named else 'plain'}_{uuid.uuid4().hex[:6]}"
        self.distance = self.r.choice(DISTANCES)
        if named:
            cfg = {"a": models.VectorParams(size=DIM, distance=self.distance),
                   "b": models.VectorParams(size=3, distance=models.Distance.EUCLID)}
        else:
            cfg = models.VectorParams(size=DIM, distance=self.distance)
        points = []
        for i in range(1, N + 1):
            if named:
                vec = {"a": rand_vec(self.r)}
                if self.r.random() < 0.7:
                    vec["b"] = rand_vec(self.r, 3)
            else:
                vec = rand_vec(self.r)
            points.append(models.PointStruct(id=i, vector=vec, payload=rand_payload(self.r, i)))
        for c in (self.remote, self.local):
            c.create_collection(self.name, vectors_config=cfg)
            c.upsert(self.name, points=points, wait=True)

    def both(self, fn):
        """(qdb's answer, local mode's answer) or the exceptions each raised."""
        out = []
        for c in (self.remote, self.local):
            try:
                out.append(fn(c))
            except Exception as e:  # noqa: BLE001 - both sides must fail alike
                out.append(e)
        return out


def _ids_scores(points):
    return [(p.id, p.score) for p in points]


def compare_ranked(got, want, what: str, extended=None, offset: int = 0):
    """qdb's ranking `got` against local mode's `want`: same length, scores within 1e-4, and
    each id one that local mode ranks at that position, ties (equal scores) counted as the same
    position. `extended` is local mode's longer ranking from position 0 (so ties across the
    offset or past the limit are known)."""
    assert len(got) == len(want), f"{what}: {len(got)} results, local mode {len(want)}\n qdb {got}\n local {want}"
    for (gi, gs), (wi, ws) in zip(got, want):
        assert abs(gs - ws) <= 1e-4 * max(1.0, abs(ws)), f"{what}: scores differ\n qdb {got}\n local {want}"
    ranking = extended if extended is not None else want
    base = offset if extended is not None else 0
    assert len({g[0] for g in got}) == len(got), f"{what}: repeated ids {got}"
    for k, (gi, _) in enumerate(got):
        s = ranking[base + k][1]
        tied = {w[0] for w in ranking if abs(w[1] - s) <= 1e-6}
        edge = base + k == len(ranking) - 1 or abs(ranking[-1][1] - s) <= 1e-6
        assert gi in tied or (edge and extended is None), \
            f"{what}: id {gi} at {k} is not one local mode ranks there\n qdb {got}\n local {want}"


def check_same_failure(res, what):
    g, w = res
    if isinstance(w, Exception) or isinstance(g, Exception):
        assert isinstance(w, Exception) and isinstance(g, Exception), \
            f"{what}: qdb {'failed' if isinstance(g, Exception) else 'answered'} ({str(g)[:600]}), local mode " \
            f"{'failed' if isinstance(w, Exception) else 'answered'} ({str(w)[:600]})"
        return True
    return False


# ---- the workloads ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(module_server_factory):
    return module_server_factory()


@pytest.fixture(scope="module")
def remote(server):
    c = QdrantClient(url=server.url, prefer_grpc=False, timeout=60)
    yield c
    c.close()


@pytest.fixture(scope="module")
def remote_grpc(server):
    c = QdrantClient(host="127.0.0.1", port=server.port, grpc_port=server.grpc_port, prefer_grpc=True,
                     https=False, timeout=60, check_compatibility=False)
    yield c
    c.close()


# A second generator of gRPC-friendly conditions (keyword/integer/bool/text match, any/except,
# numeric range, values_count, is_empty, is_null, has_id, nested), mixed with rand_filter's.
def grpc_condition(r: random.Random, depth: int = 0) -> dict:
    kind = r.choice(["value", "any", "except", "text", "range", "values_count", "is_empty", "is_null", "has_id",
                     "nested", "filter"] if depth < 2 else ["value", "range", "has_id"])
    key = r.choice(KEYS)
    if kind == "value":
        return {"key": key, "match": {"value": r.choice([r.randint(-3, 3), r.choice(WORDS), True])}}
    if kind == "any":
        return {"key": key, "match": {"any": r.choice([r.sample(WORDS, 2), [r.randint(-3, 3), r.randint(0, 5)]])}}
    if kind == "except":
        return {"key": key, "match": {"except": r.choice([r.sample(WORDS, 2), [r.randint(-3, 3)]])}}
    if kind == "text":
        return {"key": "txt", "match": {"text": r.choice(WORDS)}}
    if kind == "range":
        lo = r.uniform(-5, 5)
        return {"key": r.choice(["k", "num", "nest.x", "nest.y[]"]), "range": r.choice([{"gt": lo}, {"gte": lo, "lt": lo + 4}])}
    if kind == "values_count":
        return {"key": key, "values_count": {"gte": r.randint(0, 3)}}
    if kind == "is_empty":
        return {"is_empty": {"key": key}}
    if kind == "is_null":
        return {"is_null": {"key": key}}
    if kind == "has_id":
        return {"has_id": r.sample(range(1, N + 1), r.randint(1, 10))}
    if kind == "nested":
        return {"nested": {"key": "nest.arr", "filter": {"must": [{"key": "a", "match": {"value": r.randint(0, 3)}}]}}}
    return {"must": [grpc_condition(r, depth + 1)], "must_not": [grpc_condition(r, depth + 1)]}


def grpc_filter(r: random.Random) -> dict:
    if r.random() < 0.5:
        return rand_filter(r)  # every condition kind (geo, datetime, min_should, text_any, …)
    return {clause: [grpc_condition(r) for _ in range(r.randint(1, 2))]
            for clause in ("must", "should", "must_not") if r.random() < 0.5}


@pytest.mark.parametrize("seed", SEEDS)
def test_grpc_filters_and_nearest(remote, remote_grpc, seed):
    """The same workload over qdb's gRPC API: Scroll, Count and Query (nearest by vector or id)."""
    pair = Pair(remote, seed, named=False)
    r = random.Random(seed * 23)
    for case in range(CASES):
        f = models.Filter(**grpc_filter(r))
        what = f"seed={seed} case={case} grpc filter={f}"
        got = remote_grpc.scroll(pair.name, scroll_filter=f, limit=N + 5, with_payload=True)[0]
        want = pair.local.scroll(pair.name, scroll_filter=f, limit=N + 5, with_payload=True)[0]
        assert [(p.id, p.payload) for p in got] == [(p.id, p.payload) for p in want], what
        assert remote_grpc.count(pair.name, count_filter=f, exact=True).count == len(want), what
        q = r.choice([rand_vec(r), r.randint(1, N)])
        limit, offset = r.randint(1, 10), r.randint(0, 2)
        what = f"{what} query={q} limit={limit} offset={offset}"
        got = remote_grpc.query_points(pair.name, query=q, query_filter=f, limit=limit, offset=offset).points
        want = pair.local.query_points(pair.name, query=q, query_filter=f, limit=limit, offset=offset).points
        full = pair.local.query_points(pair.name, query=q, query_filter=f, limit=N + 10).points
        compare_ranked(_ids_scores(got), _ids_scores(want), what, _ids_scores(full), offset)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("named", [False, True])
def test_filters_scroll_and_count(remote, seed, named):
    pair = Pair(remote, seed, named)
    r = random.Random(seed * 7 + named)
    for case in range(CASES):
        f = rand_filter(r, named=named)
        what = f"seed={seed} named={named} case={case} filter={f}"
        res = pair.both(lambda c: c.scroll(pair.name, scroll_filter=models.Filter(**f), limit=N + 5,
                                           with_payload=True)[0])
        if check_same_failure(res, what):
            continue
        got, want = res
        assert [p.id for p in got] == [p.id for p in want], what
        assert [p.payload for p in got] == [p.payload for p in want], what
        res = pair.both(lambda c: c.count(pair.name, count_filter=models.Filter(**f), exact=True).count)
        assert res[0] == res[1], what


def rand_query(r: random.Random, pair: Pair, depth: int = 0) -> dict:
    """A random `points/query` request (as a dict of QueryRequest fields)."""
    named = pair.named
    using = "a" if named else None
    kinds = ["vector", "id", "recommend", "discover", "order_by", "mmr", "none", "feedback"]
    if depth == 0:
        # context scores tie often (0 when every pair holds): local mode cuts ties arbitrarily,
        # so a context query is only compared at the top, where ties are compared as sets
        kinds += ["context", "fusion", "fusion", "formula", "rescore"]
    kind = r.choice(kinds)
    q: dict = {"limit": r.randint(1, 12)}
    if using:
        q["using"] = using
    if r.random() < 0.4:
        q["filter"] = rand_filter(r, named=named)
    if kind == "vector":
        q["query"] = rand_vec(r)
        if r.random() < 0.15 and pair.distance in (models.Distance.COSINE, models.Distance.DOT):
            q["score_threshold"] = r.uniform(-0.2, 0.5)
    elif kind == "id":
        q["query"] = r.randint(1, N)
    elif kind == "recommend":
        strategy = r.choice(["average_vector", "best_score", "sum_scores"])
        q["query"] = {"recommend": {
            "positive": [r.choice([r.randint(1, N), rand_vec(r)]) for _ in range(r.randint(1, 3))],
            "negative": [r.choice([r.randint(1, N), rand_vec(r)]) for _ in range(r.randint(0, 2))],
            "strategy": strategy}}
    elif kind == "discover":
        q["query"] = {"discover": {"target": r.choice([r.randint(1, N), rand_vec(r)]), "context": [
            {"positive": r.randint(1, N), "negative": rand_vec(r)} for _ in range(r.randint(1, 3))]}}
    elif kind == "context":
        q["query"] = {"context": [{"positive": rand_vec(r), "negative": r.randint(1, N)}
                                  for _ in range(r.randint(1, 3))]}
    elif kind == "feedback":
        q["query"] = {"relevance_feedback": {
            "target": r.choice([r.randint(1, N), rand_vec(r)]),
            "feedback": [{"example": r.choice([r.randint(1, N), rand_vec(r)]), "score": round(r.random(), 2)}
                         for _ in range(r.randint(1, 3))],
            "strategy": {"naive": {"a": round(r.uniform(0.5, 2), 2), "b": round(r.uniform(0, 2), 2),
                                   "c": round(r.uniform(0, 2), 2)}}}}
    elif kind == "order_by":
        o: dict = {"key": "num", "direction": r.choice(["asc", "desc"])}
        if r.random() < 0.5:
            o["start_from"] = r.uniform(-50, 50)
        q["query"] = {"order_by": o}
    elif kind == "mmr":
        q["query"] = {"nearest": rand_vec(r), "mmr": {"diversity": round(r.random(), 2),
                                                      "candidates_limit": r.randint(5, 20)}}
    elif kind in ("fusion", "formula", "rescore"):
        q["prefetch"] = [rand_query(r, pair, depth + 1) for _ in range(r.randint(1, 3))]
        for p in q["prefetch"]:
            p.pop("offset", None)
        if kind == "fusion":
            q.pop("using", None)
            q["query"] = r.choice([{"fusion": "rrf"}, {"fusion": "dbsf"}, {"rrf": {"k": r.randint(1, 60)}}])
        elif kind == "formula":
            q["query"] = {"formula": {"sum": [
                "$score", {"mult": [0.5, {"key": "grp", "match": {"any": ["x", "y"]}}]},
                {"exp_decay": {"x": "num", "target": 0, "scale": 50}},
                {"mult": [0.1, "$score[1]"]}]}, "defaults": {"num": 0}}
        else:
            q["query"] = rand_vec(r)
    if depth == 0 and r.random() < 0.3:
        q["offset"] = r.randint(0, 3)
    return q


def with_payload_choice(r: random.Random):
    return r.choice([True, False, ["num", "nest.x"], ["nest.arr[].a", "tags"], ["nest"],
                     models.PayloadSelectorExclude(exclude=["nest.arr[].b", "txt", "geo"])])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("named", [False, True])
def test_queries(remote, seed, named):
    pair = Pair(remote, seed, named)
    r = random.Random(seed * 13 + named)
    for case in range(CASES):
        q = rand_query(r, pair)
        wp = with_payload_choice(r)
        what = f"seed={seed} named={named} distance={pair.distance} case={case} query={q} with_payload={wp}"
        req = models.QueryRequest(**q)
        res = pair.both(lambda c: c.query_points(
            pair.name, query=req.query, prefetch=req.prefetch, query_filter=req.filter, limit=req.limit,
            offset=req.offset, using=req.using, score_threshold=req.score_threshold, with_payload=wp).points)
        if check_same_failure(res, what):
            continue
        got, want = res
        if "order_by" in str(q.get("query")):
            assert [(p.id, p.order_value) for p in got] == [(p.id, p.order_value) for p in want], what
            continue
        longer = pair.local.query_points(
            pair.name, query=req.query, prefetch=req.prefetch, query_filter=req.filter,
            limit=N + 10, offset=0, using=req.using,
            score_threshold=req.score_threshold, with_payload=False).points
        compare_ranked(_ids_scores(got), _ids_scores(want), what, _ids_scores(longer), req.offset or 0)
        by_id = {p.id: p.payload for p in want}
        for p in got:
            if p.id not in by_id:  # a tie cut differently, see compare_ranked
                continue
            assert p.payload == by_id[p.id], f"{what}: payload of {p.id}\n qdb {p.payload}\n local {by_id[p.id]}"


@pytest.mark.parametrize("seed", SEEDS)
def test_batch_groups_and_facets(remote, seed):
    pair = Pair(remote, seed, named=False)
    r = random.Random(seed * 17)
    for case in range(CASES // 2):
        reqs = [models.QueryRequest(**rand_query(r, pair)) for _ in range(3)]
        what = f"seed={seed} case={case} batch={reqs}"
        res = pair.both(lambda c: c.query_batch_points(pair.name, requests=reqs))
        if not check_same_failure(res, what):
            for req, g, w in zip(reqs, *res):
                if isinstance(req.query, models.OrderByQuery):
                    assert [p.id for p in g.points] == [p.id for p in w.points], what
                elif isinstance(req.query, models.ContextQuery):  # ties at 0: scores only
                    assert [round(p.score, 4) for p in g.points] == [round(p.score, 4) for p in w.points], what
                else:
                    compare_ranked(_ids_scores(g.points), _ids_scores(w.points), what)

        q = rand_query(r, pair, depth=1)
        q.pop("offset", None)
        req = models.QueryRequest(**q)
        size, limit = r.randint(1, 3), r.randint(1, 5)
        what = f"seed={seed} case={case} groups of {q} size={size} limit={limit}"
        res = pair.both(lambda c: c.query_points_groups(
            pair.name, group_by="grp", query=req.query, query_filter=req.filter, limit=limit, group_size=size,
            with_payload=False).groups)
        if not check_same_failure(res, what) and not isinstance(req.query, (models.OrderByQuery, models.ContextQuery)):
            got, want = res
            assert [g.id for g in got] == [g.id for g in want], what
            for g, w in zip(got, want):
                compare_ranked(_ids_scores(g.hits), _ids_scores(w.hits), f"{what} group {g.id}")

        f = rand_filter(r) if r.random() < 0.5 else None
        key = r.choice(["tags", "grp", "k", "nest.arr[].b"])
        flimit = r.randint(1, 10)
        what = f"seed={seed} case={case} facet {key} filter={f} limit={flimit}"
        res = pair.both(lambda c: c.facet(pair.name, key=key, facet_filter=models.Filter(**f) if f else None,
                                          limit=flimit).hits)
        if not check_same_failure(res, what):
            assert [(h.value, h.count) for h in res[0]] == [(h.value, h.count) for h in res[1]], what


def rand_edit(r: random.Random):
    sel = r.choice([r.sample(range(1, N + 1), r.randint(1, 6)),
                    models.Filter(**rand_filter(r))])
    kind = r.choice(["set", "set_key", "overwrite", "delete", "clear", "batch"])
    payload = {"n": r.randint(0, 9), r.choice(["k", "z", "tags"]): r.choice([None, rand_scalar(r), [1, 2]])}
    if kind == "set":
        return kind, lambda c, name: c.set_payload(name, payload=payload, points=sel, wait=True)
    if kind == "set_key":
        key = r.choice(["nest", "nest.arr[0]", "nest.arr[]", "nest.y[1]", "newobj.inner", "k", "nest.x"])
        return f"set key={key}", lambda c, name: c.set_payload(name, payload=payload, points=sel, key=key, wait=True)
    if kind == "overwrite":
        return kind, lambda c, name: c.overwrite_payload(name, payload=payload, points=sel, wait=True)
    if kind == "delete":
        keys = r.sample(["k", "nest.x", "nest.arr[].a", "nest.arr[]", "nest.y[0]", "tags", '"a.b"', "nope"], 2)
        return f"delete {keys}", lambda c, name: c.delete_payload(name, keys=keys, points=sel, wait=True)
    if kind == "clear":
        return kind, lambda c, name: c.clear_payload(name, points_selector=sel, wait=True)
    ops = [models.SetPayloadOperation(set_payload=models.SetPayload(payload=payload, points=sel if isinstance(sel, list) else None,
                                                                    filter=sel if not isinstance(sel, list) else None,
                                                                    key=r.choice([None, "nest"]))),
           models.DeletePayloadOperation(delete_payload=models.DeletePayload(keys=["n"], points=[1, 2, 3])),
           models.UpsertOperation(upsert=models.PointsList(points=[models.PointStruct(
               id=r.randint(1, N + 5), vector=rand_vec(r), payload={"num": 1.5, "grp": 1})],
               update_mode=r.choice([None, models.UpdateMode.INSERT_ONLY, models.UpdateMode.UPDATE_ONLY])))]
    return "batch", lambda c, name: c.batch_update_points(name, update_operations=ops, wait=True)


@pytest.mark.parametrize("seed", SEEDS)
def test_payload_edits(remote, seed):
    pair = Pair(remote, seed, named=False)
    r = random.Random(seed * 19)
    for case in range(CASES):
        what, edit = rand_edit(r)
        what = f"seed={seed} case={case} edit {what}"
        res = pair.both(lambda c: edit(c, pair.name))
        check_same_failure(res, what)
        got, want = pair.both(lambda c: c.scroll(pair.name, limit=N + 10, with_payload=True)[0])
        assert [(p.id, p.payload) for p in got] == [(p.id, p.payload) for p in want], what


def grpc_query(r: random.Random, pair: Pair, depth: int = 0) -> dict:
    """A random query (every kind, formula and relevance_feedback included), with gRPC filters."""
    q = rand_query(r, pair, depth)
    def refilter(level: dict):
        if "filter" in level:
            level["filter"] = grpc_filter(r)
        for p in level.get("prefetch", []):
            refilter(p)
    refilter(q)
    return q


@pytest.mark.parametrize("seed", SEEDS)
def test_grpc_query_kinds_batches_groups_and_facets(remote, remote_grpc, seed):
    """QueryPoints with every query kind and prefetch, QueryBatch, QueryGroups and Facet over gRPC."""
    pair = Pair(remote, seed, named=False)
    r = random.Random(seed * 29)
    for case in range(CASES):
        q = grpc_query(r, pair)
        req = models.QueryRequest(**q)
        what = f"seed={seed} case={case} grpc query={q}"
        res = []
        for c in (remote_grpc, pair.local):
            try:
                res.append(c.query_points(pair.name, query=req.query, prefetch=req.prefetch, query_filter=req.filter,
                                          limit=req.limit, offset=req.offset, score_threshold=req.score_threshold,
                                          with_payload=True).points)
            except Exception as e:  # noqa: BLE001
                res.append(e)
        if check_same_failure(res, what):
            continue
        got, want = res
        if isinstance(req.query, models.OrderByQuery):
            assert [(p.id, p.order_value) for p in got] == [(p.id, p.order_value) for p in want], what
            continue
        full = pair.local.query_points(pair.name, query=req.query, prefetch=req.prefetch, query_filter=req.filter,
                                       limit=N + 10, score_threshold=req.score_threshold).points
        compare_ranked(_ids_scores(got), _ids_scores(want), what, _ids_scores(full), req.offset or 0)
        by_id = {p.id: p.payload for p in want}
        assert all(p.payload == by_id[p.id] for p in got if p.id in by_id), what

    reqs = [models.QueryRequest(**q) for q in (grpc_query(r, pair) for _ in range(4))
            if not isinstance(models.QueryRequest(**q).query, (models.ContextQuery, models.OrderByQuery))]
    got = remote_grpc.query_batch_points(pair.name, requests=reqs)
    want = pair.local.query_batch_points(pair.name, requests=reqs)
    for g, w in zip(got, want):
        compare_ranked(_ids_scores(g.points), _ids_scores(w.points), f"seed={seed} grpc batch {reqs}")

    for case in range(CASES // 4):
        q = rand_vec(r)
        size, limit = r.randint(1, 3), r.randint(1, 4)
        g = remote_grpc.query_points_groups(pair.name, group_by="grp", query=q, group_size=size, limit=limit).groups
        w = pair.local.query_points_groups(pair.name, group_by="grp", query=q, group_size=size, limit=limit).groups
        what = f"seed={seed} groups of {q} size={size} limit={limit}"
        key = lambda lst: [round(x, 3) for x in lst]  # noqa: E731 - near-equal leaders sort alike
        gs = sorted(([h.score for h in x.hits] for x in g), key=key)
        ws = sorted(([h.score for h in x.hits] for x in w), key=key)
        assert len(gs) == len(ws) and all(len(a) == len(b) and all(abs(u - v) <= 1e-4 for u, v in zip(a, b))
                                          for a, b in zip(gs, ws)), what
        scores = [round(h.score, 4) for x in w for h in x.hits]
        if len(set(scores)) == len(scores):  # exact ties are ordered arbitrarily by local mode
            assert [(x.id, [h.id for h in x.hits]) for x in g] == [(x.id, [h.id for h in x.hits]) for x in w], what
        key = r.choice(["tags", "grp", "k"])
        fg = remote_grpc.facet(pair.name, key=key, limit=5).hits
        fw = pair.local.facet(pair.name, key=key, limit=5).hits
        assert [(h.value, h.count) for h in fg] == [(h.value, h.count) for h in fw], f"seed={seed} facet {key}"


@pytest.mark.parametrize("seed", SEEDS)
def test_grpc_payload_edits(remote, remote_grpc, seed):
    """SetPayload (with key paths), OverwritePayload, DeletePayload and ClearPayload over gRPC."""
    pair = Pair(remote, seed, named=False)
    r = random.Random(seed * 31)
    for case in range(CASES):
        what, edit = rand_edit(r)
        if what == "batch":
            continue  # UpdateBatch is REST-only
        what = f"seed={seed} case={case} grpc edit {what}"
        for c in (remote_grpc, pair.local):
            try:
                edit(c, pair.name)
            except Exception:  # noqa: BLE001 - compared below through the resulting payloads
                pass
        got = remote_grpc.scroll(pair.name, limit=N + 10, with_payload=True)[0]
        want = pair.local.scroll(pair.name, limit=N + 10, with_payload=True)[0]
        assert [(p.id, p.payload) for p in got] == [(p.id, p.payload) for p in want], what
