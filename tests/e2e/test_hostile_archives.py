"""Hostile archives through the upload route: each is refused with 400 and nothing is written
outside the server's staging directory; the existing collection is unchanged."""

import io
import tarfile

import pytest

from qdb_helpers import count, create_collection, err, ok, unique, upsert


def no_spool(server) -> bool:
    """No upload file is left in the snapshots directory's spool (wait=true uploads stream and
    never create one)."""
    spool = server.snapshots / "tmp"
    return not spool.exists() or not any(spool.iterdir())


def tar_with(add) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        add(t)
    return buf.getvalue()


def member(name, kind=tarfile.REGTYPE, data=b"x", **kw):
    def add(t):
        info = tarfile.TarInfo(name)
        info.type = kind
        for k, v in kw.items():
            setattr(info, k, v)
        if kind == tarfile.REGTYPE:
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        else:
            t.addfile(info)
    return add


def cases(tmp_path):
    escape = tmp_path / "escaped"
    return escape, {
        "symlink": tar_with(member("0/link", tarfile.SYMTYPE, linkname=str(escape))),
        "hardlink": tar_with(member("0/hard", tarfile.LNKTYPE, linkname="/etc/passwd")),
        "dotdot": tar_with(member(f"../../../../../../..{escape}")),
        "absolute": tar_with(member(str(escape))),
        "chardev": tar_with(member("0/dev", tarfile.CHRTYPE, devmajor=1, devminor=3)),
        "fifo": tar_with(member("0/fifo", tarfile.FIFOTYPE)),
        "garbage": b"\x7fELF" + b"\x00\x01" * 4000,
        "gzip": __import__("gzip").compress(tar_with(member("config.json", data=b"{}"))),
        "no-metadata": tar_with(member("config.json", data=b"{}")),
    }


@pytest.fixture(scope="module")
def target(qdb):
    api = qdb.api()
    name = unique("victim")
    create_collection(api, name, size=2, distance="Dot")
    upsert(api, name, points=[{"id": i, "vector": [i, 1]} for i in range(7)])
    return name


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "dotdot", "absolute", "chardev", "fifo",
                                  "garbage", "gzip", "no-metadata"])
def test_hostile_upload_is_refused(qdb, target, tmp_path, kind):
    api = qdb.api()
    escape, corpus = cases(tmp_path)
    r = api.post(f"/collections/{target}/snapshots/upload", files={"snapshot": ("h.snapshot", corpus[kind])})
    err(r, 400)
    assert not escape.exists()
    assert count(api, target) == 7
    tmp = qdb.storage / "tmp"
    assert not any(p.name.startswith("restore-") for p in tmp.iterdir())
    assert no_spool(qdb)


def test_truncated_multipart_upload_is_refused(qdb, target):
    api = qdb.api()
    desc = ok(api.post(f"/collections/{target}/snapshots"))
    blob = api.get(f"/collections/{target}/snapshots/{desc['name']}").content
    boundary = "xyz"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\"a\"\r\n\r\n").encode() + blob[:5000]
    r = api.post(f"/collections/{target}/snapshots/upload", data=body,
                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    err(r, 400)
    r = api.post(f"/collections/{target}/snapshots/upload", data=b"{}", headers={"Content-Type": "application/json"})
    err(r, 400)
    assert count(api, target) == 7


def test_upload_size_cap(server_factory):
    srv = server_factory(config_text="service:\n  max_upload_size_mb: 1\n")
    api = srv.api()
    create_collection(api, "c", size=2, distance="Dot")
    r = api.post("/collections/c/snapshots/upload", files={"snapshot": ("big", b"\x00" * (3 << 20))})
    err(r, 413)
    assert no_spool(srv)
