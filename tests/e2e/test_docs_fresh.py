"""man/ and completions/ are what the current commands generate, and the completions work.

`scripts/gen-docs --check` regenerates both from the binary under test (QDB_BIN) into a temp
dir and diffs them against the checked-in files; on failure, run `scripts/gen-docs` and commit.
"""

import os
import subprocess


from qdb_helpers import QDB_BIN, REPO, create_collection, run_qdb


def test_checked_in_man_pages_and_completions_are_fresh():
    r = subprocess.run([str(REPO / "scripts" / "gen-docs"), "--check"], cwd=REPO,
                       env={**os.environ, "QDB_BIN": QDB_BIN}, capture_output=True, text=True,
                       timeout=900)
    assert r.returncode == 0, f"{r.stderr}\n{r.stdout[-6000:]}"


def test_every_man_page_has_exit_status_and_examples():
    pages = sorted((REPO / "man").glob("*.1"))
    names = {p.name for p in pages}
    for cmd in ("qdb", "serve", "snapshot", "shard", "restore", "verify", "manifest"):
        assert ("qdb.1" if cmd == "qdb" else f"qdb-{cmd}.1") in names
    for page in pages:
        text = page.read_text()
        assert ".Sh EXIT STATUS\n" in text and ".It Sy 65\n" in text, page.name
        assert ".Sh EXAMPLES\n.Bd -literal" in text, page.name
        assert not any(l.startswith((".checksum", "'")) for l in text.splitlines()), page.name
    pipeline = (REPO / "man" / "qdb-manifest.1").read_text()
    assert "| qdb snapshot partial --url $PRIMARY c --shard 0" in pipeline


def test_man_pages_lint_without_errors():
    for page in sorted((REPO / "man").glob("*.1")):
        r = subprocess.run(["mandoc", "-T", "lint", "-W", "error", str(page)], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr


def complete(path: list[str], words: list[str], env=None, cwd=None) -> list[str]:
    """Candidates for the first positional of `qdb PATH… WORDS… <TAB>`, asked the way the
    generated bash/zsh/fish scripts ask the binary."""
    line = ["qdb", *path, "", *words]  # the word being completed right after the subcommand
    r = run_qdb(["---completion", *path, "--", "positional@0", str(len(path) + 1), "0", *line],
                env=env, cwd=cwd, timeout=10)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def test_collection_names_complete_from_storage_and_url(server_factory, tmp_path):
    srv = server_factory()
    api = srv.api()
    for name in ("alpha", "beta"):
        create_collection(api, name, size=2)
    assert complete(["snapshot", "list"], ["--url", srv.url]) == ["alpha", "beta"]
    assert complete(["shard", "snapshot", "create"], ["--shard", "0"], env={"QDB_URL": srv.url}) == ["alpha", "beta"]
    storage = tmp_path / "st"
    (storage / "collections" / "gamma").mkdir(parents=True)
    (storage / "collections" / ".tmp-x").mkdir()
    assert complete(["snapshot", "create"], ["--storage", str(storage)]) == ["gamma"]
    assert complete(["snapshot", "create"], [], cwd=tmp_path, env={"QDB_STORAGE": str(storage)}) == ["gamma"]
    assert complete(["snapshot", "create"], [], cwd=tmp_path) == []              # no ./storage: nothing
    assert complete(["snapshot", "list"], ["--url", "http://127.0.0.1:1"]) == []  # unreachable: nothing


def test_completion_scripts_name_every_subcommand():
    for file in ("qdb.bash", "_qdb", "qdb.fish"):
        text = (REPO / "completions" / file).read_text()
        for word in ("serve", "snapshot", "shard", "restore", "verify", "manifest", "partial", "---completion"):
            assert word in text, (file, word)
