"""Uploads with wait=true stream straight into the unpacker: nothing is spooled to the snapshots
directory, the archive is staged as it arrives, and a failure is still answered with Qdrant's
JSON error once the body has been read (never a reset connection), leaving nothing behind."""

import time

import requests

from qdb_helpers import count, create_collection, err, ok, scroll_all, unique, upsert
from upload_helpers import BOUNDARY, HalfSentUpload, multipart_head, multipart_tail

def filled(api, n=500):
    name = unique("stream")
    create_collection(api, name, size=8, distance="Dot")
    upsert(api, name, points=[{"id": i, "vector": [float(i % 7)] * 8, "payload": {"i": i}} for i in range(n)])
    desc = ok(api.post(f"/collections/{name}/snapshots"))
    blob = api.get(f"/collections/{name}/snapshots/{desc['name']}").content
    return name, blob


def staged_dirs(qdb):
    return [p for p in (qdb.storage / "tmp").iterdir() if p.name.startswith("restore-")]


def test_upload_streams_into_staging_without_a_spool_file(qdb):
    """Half the body is sent, then the sender pauses: the restore is already staging files and no
    upload file exists in snapshots/tmp; the rest then completes the recovery."""
    api = qdb.api()
    source, blob = filled(api)
    target = unique("streamed")
    with HalfSentUpload(f"{api.base}/collections/{target}/snapshots/upload?wait=true", blob) as upload:
        deadline = time.monotonic() + 20
        while not any(any(f.is_file() for f in p.rglob("segments/*/files/*")) for p in staged_dirs(qdb)):
            assert time.monotonic() < deadline, "no staging directory with segment files appeared"
            time.sleep(0.05)
        spool = qdb.snapshots / "tmp"
        assert not spool.exists() or not any(spool.iterdir()), "the upload was spooled to disk"
        assert target not in [c["name"] for c in ok(api.get("/collections"))["collections"]]
    assert ok(upload.response) is True
    assert count(api, target) == 500
    assert scroll_all(api, target) == scroll_all(api, source)
    assert not staged_dirs(qdb)


def test_bad_archive_is_answered_after_the_whole_body(qdb):
    """The archive is bad from its first bytes, but 24 MiB follow: the server keeps reading the
    body, then answers 400 with the JSON envelope; the collection is untouched."""
    api = qdb.api()
    name, _ = filled(api, n=20)
    junk = b"\x7fELF" + b"\xab" * (24 << 20)
    r = requests.post(
        f"{api.base}/collections/{name}/snapshots/upload?wait=true",
        data=multipart_head() + junk + multipart_tail(),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}, timeout=60)
    msg = err(r, 400)
    assert "tar" in msg.lower() or "archive" in msg.lower() or "snapshot" in msg.lower()
    assert count(api, name) == 20
    assert not staged_dirs(qdb)
    ok(api.get("/collections"))  # the server still answers


def test_truncated_body_after_a_valid_start_changes_nothing(qdb):
    """A body cut inside the archive (the multipart never ends): 400 for the truncated upload,
    not a tar error, and the existing collection keeps its points."""
    api = qdb.api()
    name, blob = filled(api, n=300)
    upsert(api, name, points=[{"id": 10_000, "vector": [1.0] * 8, "payload": {"extra": True}}])
    r = requests.post(
        f"{api.base}/collections/{name}/snapshots/upload?wait=true",
        data=multipart_head() + blob[: len(blob) * 2 // 3],
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}, timeout=60)
    msg = err(r, 400)
    assert "truncated" in msg or "ended early" in msg
    assert count(api, name) == 301
    assert not staged_dirs(qdb)


def test_wrong_checksum_on_streamed_upload(qdb):
    api = qdb.api()
    name, blob = filled(api, n=50)
    upsert(api, name, points=[{"id": 9_999, "vector": [2.0] * 8}])
    r = api.post(f"/collections/{name}/snapshots/upload?checksum={'0' * 64}",
                 files={"snapshot": ("s.snapshot", blob)})
    assert "checksum" in err(r, 400).lower()
    assert count(api, name) == 51
    assert not staged_dirs(qdb)


def test_wait_false_upload_still_recovers(qdb):
    """wait=false answers 202 once the body is in (spooled, since the answer cannot wait for the
    recovery) and the recovery completes in the background; the spool file is then removed."""
    api = qdb.api()
    source, blob = filled(api, n=120)
    target = unique("later")
    r = api.post(f"/collections/{target}/snapshots/upload?wait=false", files={"snapshot": ("s.snapshot", blob)})
    assert r.status_code == 202 and r.json()["status"] == "accepted"
    deadline = time.monotonic() + 20
    while True:
        names = [c["name"] for c in ok(api.get("/collections"))["collections"]]
        if target in names and count(api, target) == 120:
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert scroll_all(api, target) == scroll_all(api, source)
    deadline = time.monotonic() + 10
    spool = qdb.snapshots / "tmp"
    while spool.exists() and any(spool.iterdir()):
        assert time.monotonic() < deadline, "the wait=false spool file was not removed"
        time.sleep(0.05)


def test_client_that_disconnects_mid_upload_changes_nothing(qdb):
    """The client sends half an archive and closes the connection: the recovery fails, its
    staging directory is removed, the collection keeps its points and the server goes on."""
    import socket

    api = qdb.api()
    name, blob = filled(api, n=400)
    upsert(api, name, points=[{"id": 77_777, "vector": [3.0] * 8}])
    head = multipart_head()
    port = int(api.base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall((f"POST /collections/{name}/snapshots/upload?wait=true HTTP/1.1\r\n"
                   f"Host: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                   f"Content-Length: {len(head) + len(blob) + len(multipart_tail())}\r\n\r\n").encode())
        s.sendall(head + blob[: len(blob) // 2])
        deadline = time.monotonic() + 10
        while not staged_dirs(qdb):  # the restore has started staging what arrived
            assert time.monotonic() < deadline
            time.sleep(0.02)
    deadline = time.monotonic() + 20
    while staged_dirs(qdb):
        assert time.monotonic() < deadline, "the staging directory of the aborted upload stayed"
        time.sleep(0.05)
    assert count(api, name) == 401
    ok(api.get("/collections"))
