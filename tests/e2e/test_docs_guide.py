"""Runs every shell example of docs/guide.md marked `<!-- test -->` against real servers.

The marker is an HTML comment on the line before a ```sh block: `<!-- test -->` expects exit
status 0, `<!-- test exit=N -->` status N. Blocks run in order (later ones use what earlier ones
made) with `bash -euo pipefail`, `qdb` on PATH being the binary under test, and `$QDB_URL` =
`$PRIMARY` (a fresh server), `$REPLICA` (another), `$BACKUPS`, `$DRILL` (empty directories).
Every ```sh block must carry either the test marker or a `<!-- not run: reason -->` comment.
"""

import os
import re
import subprocess

from qdb_helpers import QDB_BIN, REPO, clean_env

GUIDE = REPO / "docs" / "guide.md"
BLOCK = re.compile(r"<!-- (test(?: exit=(\d+))?|not run: [^>]+) -->\n```sh\n(.*?)```", re.S)


def blocks():
    text = GUIDE.read_text()
    found = BLOCK.findall(text)
    assert len(found) == text.count("```sh\n"), "every ```sh block needs <!-- test --> or <!-- not run: why -->"
    return [(body, int(code or 0)) for marker, code, body in found if marker.startswith("test")]


def test_guide_examples_run(server_factory, tmp_path):
    primary, replica = server_factory(), server_factory()
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "qdb").symlink_to(QDB_BIN)
    for d in ("backups", "drill", "work"):
        (tmp_path / d).mkdir()
    env = clean_env({"PATH": f"{bindir}:{os.environ['PATH']}", "QDB_URL": primary.url,
                     "PRIMARY": primary.url, "REPLICA": replica.url,
                     "BACKUPS": str(tmp_path / "backups"), "DRILL": str(tmp_path / "drill")})
    examples = blocks()
    assert len(examples) >= 10
    for body, want in examples:
        r = subprocess.run(["bash", "-euo", "pipefail", "-c", body], env=env, cwd=tmp_path / "work",
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == want, (f"guide example exited {r.returncode}, documented {want}:\n{body}\n"
                                      f"stdout: {r.stdout[-2000:]}\nstderr: {r.stderr[-2000:]}")
    # The sync examples really brought the replica to the primary's state.
    count = subprocess.run(["curl", "-fsS", "-X", "POST", f"{replica.url}/collections/products/points/count",
                            "-H", "Content-Type: application/json", "-d", '{"exact": true}'],
                           capture_output=True, text=True, check=True)
    assert '"count":3' in count.stdout.replace(" ", "")
