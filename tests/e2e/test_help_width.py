"""Help reads correctly in an 80-column terminal: every command's --help (found by walking
SUBCOMMANDS from the root) has no line over 80 columns and no prose line left holding a single
word in the middle of a paragraph (what hard-wrapped source text does at 80), and every
OVERVIEW fits on one line. USAGE lines are exempt: ArgumentParser never wraps them."""

import os
import re
import subprocess

from qdb_helpers import QDB_BIN, clean_env


def help_text(path):
    env = clean_env({"COLUMNS": "80"})
    r = subprocess.run([QDB_BIN, *path, "--help"], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout


def subcommands(text):
    names, inside = [], False
    for line in text.splitlines():
        if line.startswith("SUBCOMMANDS:"):
            inside = True
            continue
        if inside:
            if not line.strip():
                break
            m = re.match(r"^  ([a-z][a-z-]*)\b", line)
            if m and m.group(1) != "help":
                names.append(m.group(1))
    return names


def walk(path=()):
    text = help_text(list(path))
    yield path, text
    for name in subcommands(text):
        yield from walk((*path, name))


def test_every_help_fits_80_columns():
    seen = 0
    problems = []
    for path, text in walk():
        seen += 1
        lines = text.splitlines()
        section = ""
        for line in lines:
            if line in ("EXAMPLES", "EXIT STATUS") or re.match(r"^[A-Z ]+:", line):
                section = line
            elif section == "EXAMPLES" and line.strip() and not line.startswith("  "):
                problems.append(f"qdb {' '.join(path)}: an example wraps: {line!r}")
        for i, line in enumerate(lines):
            if line.startswith("OVERVIEW:") and i + 1 < len(lines) and lines[i + 1].strip():
                problems.append(f"qdb {' '.join(path)}: the abstract needs two lines: {line!r}")
            if len(line) > 80 and not line.startswith("USAGE:"):
                problems.append(f"qdb {' '.join(path)}: {len(line)} columns: {line!r}")
            words = line.split()
            prev = lines[i - 1] if i else ""
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            # a lone word continuing a sentence: the previous line is prose that does not end one
            if (len(words) == 1 and not line.startswith(" ") and not words[0].isupper()
                    and not words[0].endswith(":") and prev and not prev.startswith(" ") and nxt.strip()
                    and not prev.rstrip().endswith((".", ":", ")")) and not prev.isupper()):
                problems.append(f"qdb {' '.join(path)}: orphaned word {line!r} after {prev!r}")
    assert seen >= 30, seen  # the walk found the whole tree (operation and prune included)
    assert not problems, "\n".join(problems)
