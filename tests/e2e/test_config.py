"""Configuration of `qdb serve`: YAML file (--config), QDB__/QDRANT__ environment variables,
flags; precedence flags > env > file; bad config exits non-zero naming the key."""

import subprocess

import pytest
import requests

from qdb_helpers import Api, create_collection, free_port, ok, run_qdb, unique


def _yaml(storage, snapshots, port, **service_extra):
    lines = ["log_level: info", "service:", "  host: 127.0.0.1", f"  http_port: {port}"]
    for k, v in service_extra.items():
        lines.append(f"  {k}: {v}")
    lines += ["storage:", f"  storage_path: {storage}", f"  snapshots_path: {snapshots}", ""]
    return "\n".join(lines)


def _status(port, key=None, path="/collections"):
    headers = {"api-key": key} if key is not None else {}
    return requests.get(f"http://127.0.0.1:{port}{path}", headers=headers, timeout=10).status_code


def test_yaml_config_file(server_factory, tmp_path):
    port = free_port()
    storage, snaps = tmp_path / "st", tmp_path / "sn"
    srv = server_factory(start=False, use_flags=False, port=port,
                         config_text=_yaml(storage, snaps, port, api_key="cfgkey",
                                           read_only_api_key="cfgro"))
    srv.start()
    assert _status(port) == 401
    assert _status(port, "cfgkey") == 200
    assert _status(port, "cfgro") == 200
    name = unique("cfg")
    create_collection(Api(srv, api_key="cfgkey"), name)
    r = requests.put(f"{srv.url}/collections/{unique('x')}", headers={"api-key": "cfgro"},
                     json={"vectors": {"size": 2, "distance": "Dot"}}, timeout=10)
    assert r.status_code == 403
    # Data goes to storage.storage_path.
    assert (storage / "collections" / name).is_dir(), list(storage.rglob("*"))[:20]


def test_env_vars_qdb_prefix(server_factory, tmp_path):
    port = free_port()
    storage = tmp_path / "envstore"
    srv = server_factory(start=False, use_flags=False, port=port, env={
        "QDB__SERVICE__HOST": "127.0.0.1",
        "QDB__SERVICE__HTTP_PORT": str(port),
        "QDB__SERVICE__API_KEY": "envkey",
        "QDB__STORAGE__STORAGE_PATH": str(storage),
        "QDB__STORAGE__SNAPSHOTS_PATH": str(tmp_path / "envsnaps"),
    })
    srv.start()
    assert _status(port) == 401
    assert _status(port, "envkey") == 200
    name = unique("env")
    create_collection(Api(srv, api_key="envkey"), name)
    assert (storage / "collections" / name).is_dir()


def test_env_vars_qdrant_prefix(server_factory):
    srv = server_factory(env={"QDRANT__SERVICE__API_KEY": "qkey",
                              "QDRANT__SERVICE__READ_ONLY_API_KEY": "qro"})
    assert _status(srv.port) == 401
    assert _status(srv.port, "qkey") == 200
    assert _status(srv.port, "qro") == 200
    r = requests.put(f"{srv.url}/collections/{unique('x')}", headers={"api-key": "qro"},
                     json={"vectors": {"size": 2, "distance": "Dot"}}, timeout=10)
    assert r.status_code == 403


def test_env_overrides_file(server_factory, tmp_path):
    file_port, env_port = free_port(), free_port()
    while env_port == file_port:
        env_port = free_port()
    srv = server_factory(start=False, use_flags=False, port=env_port,
                         config_text=_yaml(tmp_path / "s", tmp_path / "n", file_port,
                                           api_key="filekey"),
                         env={"QDB__SERVICE__HTTP_PORT": str(env_port),
                              "QDB__SERVICE__API_KEY": "envkey"})
    srv.start()
    assert _status(env_port, "envkey") == 200
    assert _status(env_port, "filekey") == 401
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{file_port}/", timeout=3)


def test_flags_override_env(server_factory):
    # The factory passes --http-port/--storage flags; env says otherwise.
    other_port = free_port()
    srv = server_factory(api_key="flagkey", env={"QDB__SERVICE__HTTP_PORT": str(other_port),
                                                 "QDB__SERVICE__API_KEY": "envkey",
                                                 "QDRANT__SERVICE__API_KEY": "envkey2"})
    assert srv.port != other_port
    assert _status(srv.port, "flagkey") == 200
    assert _status(srv.port, "envkey") == 401
    assert _status(srv.port, "envkey2") == 401
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{other_port}/", timeout=3)


def test_flags_override_file(server_factory, tmp_path):
    file_port = free_port()
    srv = server_factory(api_key="flagkey",
                         config_text=_yaml(tmp_path / "s2", tmp_path / "n2", file_port,
                                           api_key="filekey"))
    assert srv.port != file_port
    assert _status(srv.port, "flagkey") == 200
    assert _status(srv.port, "filekey") == 401
    # --storage flag wins over storage.storage_path.
    name = unique("ff")
    create_collection(Api(srv, api_key="flagkey"), name)
    assert (srv.storage / "collections" / name).is_dir()
    assert not (tmp_path / "s2" / "collections" / name).exists()


def _expect_config_error(tmp_path, text, must_mention):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(text)
    port = free_port()
    try:
        res = run_qdb(["serve", "--config", str(cfg), "--storage", str(tmp_path / "st"),
                       "--snapshots-path", str(tmp_path / "sn"), "--host", "127.0.0.1",
                       "--http-port", str(port)], timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"qdb serve kept running with a bad config:\n{text}")
    assert res.returncode != 0, f"bad config accepted:\n{text}\nstderr: {res.stderr}"
    assert must_mention in res.stderr, (
        f"stderr should name {must_mention!r}:\n{res.stderr[-2000:]}")


def test_unknown_key_rejected(tmp_path):
    _expect_config_error(tmp_path, "service:\n  http_portt: 1234\n", "http_portt")


def test_unknown_top_level_key_rejected(tmp_path):
    _expect_config_error(tmp_path, "servise:\n  http_port: 1234\n", "servise")


def test_bad_value_rejected(tmp_path):
    _expect_config_error(tmp_path, 'service:\n  http_port: "abc"\n', "http_port")


def test_bad_max_request_size_rejected(tmp_path):
    _expect_config_error(tmp_path, "service:\n  max_request_size_mb: lots\n",
                         "max_request_size_mb")


def test_malformed_yaml_rejected(tmp_path):
    cfg = tmp_path / "broken.yaml"
    cfg.write_text("service: [unclosed\n")
    res = run_qdb(["serve", "--config", str(cfg), "--storage", str(tmp_path / "st"),
                   "--http-port", str(free_port()), "--host", "127.0.0.1"], timeout=30)
    assert res.returncode != 0
    assert res.stderr.strip()


def test_missing_config_file_rejected(tmp_path):
    res = run_qdb(["serve", "--config", str(tmp_path / "nope.yaml"), "--storage",
                   str(tmp_path / "st"), "--http-port", str(free_port()),
                   "--host", "127.0.0.1"], timeout=30)
    assert res.returncode != 0
    assert "nope.yaml" in res.stderr


def test_bad_env_value_rejected(tmp_path):
    try:
        res = run_qdb(["serve", "--storage", str(tmp_path / "st"), "--host", "127.0.0.1"],
                      env={"QDB__SERVICE__HTTP_PORT": "abc"}, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("qdb serve kept running with QDB__SERVICE__HTTP_PORT=abc")
    assert res.returncode != 0
    assert "http_port" in res.stderr.lower()


def test_log_level_and_paths_accepted(server_factory, tmp_path):
    srv = server_factory(config_text="log_level: debug\nstorage:\n"
                                     f"  temp_path: {tmp_path / 'tmpdir'}\n"
                                     "service:\n  max_request_size_mb: 64\n")
    assert ok(srv.api().get("/collections")) == {"collections": []}
