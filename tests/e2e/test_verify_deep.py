"""`qdb verify --deep` replays the fingerprint recorded in qdb.json at create time (probe
queries drawn from the data, with their top-k ids and scores) on a throwaway restore: an archive
whose vectors were altered consistently — every file hash in qdb.json and the sidecar recomputed,
so only the fingerprint tells — exits 65 with a JSON report; the intact one passes; an archive
without a fingerprint gets the structural checks and a search sanity check."""

import hashlib
import io
import json
import tarfile

from qdb_helpers import create_collection, ok, run_qdb, upsert


def make_archive(server_factory, scale):
    srv = server_factory()
    api = srv.api()
    create_collection(api, "fp", size=4, distance="Euclid")
    upsert(api, "fp", points=[{"id": i, "vector": [float(i) * scale, 1.0, float(i % 3), 0.5], "payload": {"i": i}}
                              for i in range(40)])
    name = ok(api.post("/collections/fp/snapshots"))["name"]
    return api.get(f"/collections/fp/snapshots/{name}").content


def members(blob):
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        return [(m, t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()]


def rewrite(blob, replace):
    """The archive with some members' bytes replaced, order kept, as GNU tar."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as t:
        for m, data in members(blob):
            if m.name in replace:
                data = replace[m.name]
                m.size = len(data)
            t.addfile(m, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


def qdb_json(blob):
    return json.loads(dict((m.name, d) for m, d in members(blob))["qdb.json"])


def write(tmp_path, name, blob):
    path = tmp_path / name
    path.write_bytes(blob)
    (tmp_path / (name + ".checksum")).write_text(hashlib.sha256(blob).hexdigest())
    return path


def test_intact_archive_matches_its_fingerprint(server_factory, tmp_path):
    blob = make_archive(server_factory, 1.0)
    meta = qdb_json(blob)
    fp = meta["fingerprint"]
    assert fp["k"] == 5 and len(fp["probes"]) == 3
    assert fp["probes"][0]["ids"][0] == 0 and fp["probes"][0]["scores"][0] == 0.0  # nearest to itself
    path = write(tmp_path, "ok.snapshot", blob)
    r = run_qdb(["verify", "--deep", "--json", str(path)])
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)[0]
    assert report["ok"] and report["fingerprint"] == "match" and report["loaded_points"] == 40


def test_consistently_altered_vectors_fail_only_the_fingerprint(server_factory, tmp_path):
    original = make_archive(server_factory, 1.0)
    altered = make_archive(server_factory, 7.0)  # same ids, payloads and layout; other vectors
    # graft the original's fingerprint into the altered archive: every file hash in qdb.json is
    # the altered archive's own, and the sidecar is recomputed, so structure and checksums pass
    meta = qdb_json(altered)
    meta["fingerprint"] = qdb_json(original)["fingerprint"]
    forged = rewrite(altered, {"qdb.json": json.dumps(meta).encode()})
    path = write(tmp_path, "forged.snapshot", forged)
    shallow = run_qdb(["verify", "--json", str(path)])
    assert shallow.returncode == 0, shallow.stdout + shallow.stderr  # a plain verify cannot tell
    r = run_qdb(["verify", "--deep", "--json", str(path)])
    assert r.returncode == 65, r.stdout + r.stderr
    report = json.loads(r.stdout)[0]
    assert report["ok"] is False and report["checksum"] == "match" and report["loaded_points"] == 40
    assert report["fingerprint"] == "mismatch"
    assert report["divergence"] and "probe" in report["error"]
    first = report["divergence"][0]
    assert first["expected_scores"] != first["got_scores"]


def test_archive_without_fingerprint_gets_a_search_sanity_check(server_factory, tmp_path):
    blob = make_archive(server_factory, 1.0)
    meta = qdb_json(blob)
    del meta["fingerprint"]
    path = write(tmp_path, "old.snapshot", rewrite(blob, {"qdb.json": json.dumps(meta).encode()}))
    r = run_qdb(["verify", "--deep", "--json", str(path)])
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)[0]["fingerprint"] == "absent"


# Shard and full snapshots: a shard archive records its own fingerprint (answered by the shard
# alone); a full archive's collections carry theirs in their nested archives, and `verify --deep`
# deep-verifies each nested archive in turn.

import pytest  # noqa: E402


def make_kind_archive(server_factory, scale, kind):
    srv = server_factory()
    api = srv.api()
    create_collection(api, "fp", size=4, distance="Cosine")
    upsert(api, "fp", points=[{"id": i, "vector": [float(i) * scale, 1.0, float(i % 3), 0.5], "payload": {"i": i}}
                              for i in range(40)])
    if kind == "shard":
        name = ok(api.post("/collections/fp/shards/0/snapshots"))["name"]
        return api.get(f"/collections/fp/shards/0/snapshots/{name}").content
    name = ok(api.post("/snapshots"))["name"]
    return api.get(f"/snapshots/{name}").content


def nested_entry(full_blob):
    return json.loads(dict((m.name, d) for m, d in members(full_blob))["config.json"])["collections_mapping"]["fp"]


def graft(altered, fingerprint):
    meta = qdb_json(altered)
    meta["fingerprint"] = fingerprint
    return rewrite(altered, {"qdb.json": json.dumps(meta).encode()})


def forge(original, altered, kind):
    """The altered archive carrying the original's fingerprint, every digest recomputed."""
    if kind == "shard":
        return graft(altered, qdb_json(original)["fingerprint"])
    data_o, data_a = dict((m.name, d) for m, d in members(original)), dict((m.name, d) for m, d in members(altered))
    entry = nested_entry(altered)
    nested = graft(data_a[entry], qdb_json(data_o[nested_entry(original)])["fingerprint"])
    meta = qdb_json(altered)
    meta["files"][entry] = {"size": len(nested), "sha256": hashlib.sha256(nested).hexdigest()}
    return rewrite(altered, {entry: nested, "qdb.json": json.dumps(meta).encode()})


@pytest.mark.parametrize("kind", ["shard", "full"])
def test_shard_and_full_archives_replay_their_fingerprints(server_factory, tmp_path, kind):
    blob = make_kind_archive(server_factory, 1.0, kind)
    inner = blob if kind == "shard" else dict((m.name, d) for m, d in members(blob))[nested_entry(blob)]
    fp = qdb_json(inner)["fingerprint"]
    assert fp["k"] == 5 and len(fp["probes"]) == 3 and fp["probes"][0]["ids"][0] == 0
    r = run_qdb(["verify", "--deep", "--json", str(write(tmp_path, f"{kind}.snapshot", blob))])
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)[0]
    assert report["ok"] and report["kind"] == kind and report["fingerprint"] == "match", report
    assert report["loaded_points"] == 40


@pytest.mark.parametrize("kind", ["shard", "full"])
def test_consistently_altered_shard_and_full_archives_fail_the_fingerprint(server_factory, tmp_path, kind):
    original = make_kind_archive(server_factory, 1.0, kind)
    altered = make_kind_archive(server_factory, 7.0, kind)
    path = write(tmp_path, f"forged-{kind}.snapshot", forge(original, altered, kind))
    shallow = run_qdb(["verify", "--json", str(path)])
    assert shallow.returncode == 0, shallow.stdout + shallow.stderr  # a plain verify cannot tell
    r = run_qdb(["verify", "--deep", "--json", str(path)])
    assert r.returncode == 65, r.stdout + r.stderr
    report = json.loads(r.stdout)[0]
    assert report["ok"] is False and report["checksum"] == "match" and report["fingerprint"] == "mismatch", report
    assert report["divergence"] and "probe" in report["error"], report
    if kind == "full":
        assert report["divergence"][0]["collection"] == "fp" and "collection fp" in report["error"]
