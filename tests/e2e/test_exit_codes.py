"""Exit status of every command's main failure modes (STYLE.md, ExitStatus.swift).

One table: each row is a command line run against one of three targets, `{url}` (a running
server with an API key, `{key}` the right key), `{locked}` (that server's storage, held), or
`{off}` (a stopped server's storage with collection `c`), and the exit status it must give.
The cases already checked elsewhere (test_cli_snapshots, test_cli_remote, test_s3_cli,
test_partial_snapshots) are not repeated: this table covers the rest of the commands.
"""

import subprocess

import pytest

from qdb_helpers import QDB_BIN, clean_env, create_collection, upsert

KEY = "exit-codes-key"
DEAD = "http://127.0.0.1:1"

CASES = [
    # usage (64): ArgumentParser and validate() errors
    ("serve unknown flag", "serve --bogus", 64),
    ("serve bad --snapshot", "serve --snapshot nocolon", 64),
    ("snapshot create no collection", "snapshot create", 64),
    ("shard create without --shard", "shard snapshot create c --storage {off}", 64),
    ("restore without target", "restore x.snapshot", 64),
    ("restore --shard without --partial", "restore x.snapshot --collection c --shard 0", 64),
    ("restore bad --checksum", "restore x.snapshot --collection c --checksum abc", 64),
    ("verify --checksum with two files", "verify a b --checksum 00", 64),
    ("manifest diff both stdin", "manifest diff - -", 64),
    ("snapshot partial without --shard", "snapshot partial c", 64),
    ("snapshot full download without -o", "snapshot full download x", 64),
    # not found (66)
    ("snapshot create missing collection", "snapshot create nope --storage {off} --snapshots-path {tmp}/s", 66),
    ("shard create missing collection", "shard snapshot create nope --shard 0 --storage {off} -o {tmp}/x", 66),
    ("shard create missing shard", "shard snapshot create c --shard 9 --storage {off} -o {tmp}/x9", 66),
    ("shard list missing collection (url)", "shard snapshot list nope --shard 0 --url {url} --api-key {key}", 66),
    ("full download missing snapshot", "snapshot full download nope.snapshot -o {tmp}/x --snapshots-path {tmp}/s", 66),
    ("full delete missing snapshot (url)", "snapshot full delete nope.snapshot --url {url} --api-key {key}", 66),
    ("restore missing file", "restore {tmp}/none.snapshot --collection c --storage {off}", 66),
    ("shard recover missing file", "shard snapshot recover c {tmp}/none.snapshot --shard 0 --storage {off}", 66),
    ("manifest diff missing file", "manifest diff {tmp}/none.json {tmp}/none2.json", 66),
    ("partial missing collection", "snapshot partial nope --shard 0 --manifest {tmp}/m.json --storage {off}", 66),
    # data error (65)
    ("shard recover garbage", "shard snapshot recover c {tmp}/garbage --shard 0 --storage {off}", 65),
    ("manifest of garbage file", "manifest show {tmp}/garbage", 65),
    ("manifest diff garbage", "manifest diff {tmp}/garbage {tmp}/m.json", 65),
    ("restore checksum mismatch", "restore {tmp}/c.snapshot --collection c2 --storage {off} --checksum " + "0" * 64, 65),
    # unavailable (69)
    ("shard list unreachable", f"shard snapshot list c --shard 0 --url {DEAD}", 69),
    ("full list unreachable", f"snapshot full list --url {DEAD}", 69),
    ("manifest unreachable", f"manifest c --shard 0 --url {DEAD}", 69),
    ("partial unreachable", f"snapshot partial c --shard 0 --manifest {{tmp}}/m.json --url {DEAD}", 69),
    ("restore to unreachable server", f"restore {{tmp}}/c.snapshot --collection c --url {DEAD}", 69),
    ("create on unreachable server", f"snapshot create c --url {DEAD} -o {{tmp}}/y", 69),
    # permission (77)
    ("shard list wrong key", "shard snapshot list c --shard 0 --url {url} --api-key wrong", 77),
    ("manifest wrong key", "manifest c --shard 0 --url {url} --api-key wrong", 77),
    ("full create no key", "snapshot full create --url {url}", 77),
    ("partial wrong key", "snapshot partial c --shard 0 --manifest {tmp}/m.json --url {url} --api-key wrong", 77),
    # locked (75): offline commands on a storage a server holds
    ("shard create locked", "shard snapshot create c --shard 0 --storage {locked} -o {tmp}/z", 75),
    ("full create locked", "snapshot full create --storage {locked} --snapshots-path {tmp}/s", 75),
    ("manifest locked", "manifest c --shard 0 --storage {locked}", 75),
    ("restore locked", "restore {tmp}/c.snapshot --collection c9 --storage {locked}", 75),
    ("partial locked", "snapshot partial c --shard 0 --manifest {tmp}/m.json --storage {locked}", 75),
    ("serve locked", "serve --storage {locked} --snapshots-path {tmp}/s --http-port 0", 75),
    # cannot create (73)
    ("shard create onto existing file", "shard snapshot create c --shard 0 --storage {off} -o {tmp}/garbage", 73),
    # configuration (78)
    ("serve bad config value", "serve --config {tmp}/bad.yaml --storage {tmp}/st78", 78),
    ("serve bad env value", "serve --storage {tmp}/st78e", 78),
    # up to date (3) offline, and manifest diff --exit-code (1)
    ("partial up to date offline", "snapshot partial c --shard 0 --manifest {tmp}/m.json --storage {off} -o {tmp}/p", 3),
    ("manifest diff --exit-code differs", "manifest diff {tmp}/empty.json {tmp}/m.json --exit-code", 1),
    ("manifest diff --exit-code same", "manifest diff {tmp}/m.json {tmp}/m.json --exit-code", 0),
]
ENV = {"serve bad env value": {"QDB__SERVICE__HTTP_PORT": "not-a-port"}}


def qdb(args, env=None):
    return subprocess.run([QDB_BIN, *args], env=clean_env(env), capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def targets(module_server_factory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exit")
    live = module_server_factory(api_key=KEY)
    create_collection(live.api(), "c", size=2)
    off = module_server_factory()
    create_collection(off.api(), "c", size=2)
    upsert(off.api(), "c", points=[{"id": i, "vector": [i, 1]} for i in range(10)])
    off.stop()
    (tmp / "garbage").write_bytes(b"not a tar, not json" * 100)
    (tmp / "bad.yaml").write_text("service:\n  http_port: seventy\n")
    manifest = qdb(["manifest", "c", "--shard", "0", "--storage", str(off.storage)])
    assert manifest.returncode == 0, manifest.stderr
    (tmp / "m.json").write_bytes(manifest.stdout)
    empty = qdb(["manifest", "c", "--shard", "0", "--url", live.url, "--api-key", KEY])
    assert empty.returncode == 0, empty.stderr
    (tmp / "empty.json").write_bytes(empty.stdout)
    snap = qdb(["snapshot", "create", "c", "--storage", str(off.storage), "-o", str(tmp / "c.snapshot")])
    assert snap.returncode == 0, snap.stderr
    return {"url": live.url, "key": KEY, "locked": str(live.storage), "off": str(off.storage), "tmp": str(tmp)}


@pytest.mark.parametrize("name,line,code", CASES, ids=[c[0] for c in CASES])
def test_exit_status(targets, name, line, code):
    args = [a.format(**targets) for a in line.split()]
    r = qdb(args, env=ENV.get(name))
    assert r.returncode == code, f"qdb {' '.join(args)}\nstdout: {r.stdout[:500]!r}\nstderr: {r.stderr[-1500:]!r}"
    if code not in (0, 1, 3):
        assert r.stderr.strip(), "a failure says why on stderr"
    if code != 0 and not name.startswith("manifest diff"):
        assert r.stdout == b"", "nothing but data on stdout, and a failure has none"
