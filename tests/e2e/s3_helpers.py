"""A real S3-compatible endpoint for the S3 tests: `moto_server` (from moto[server]) on a free
loopback port, with IAM auth enforced, so wrong credentials and bad signatures are refused as
on AWS. boto3 is the tests' independent view of the bucket."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3

from qdb_helpers import free_port

REGION = "us-east-1"


def moto_binary() -> str:
    beside = Path(sys.executable).parent / "moto_server"
    found = str(beside) if beside.exists() else shutil.which("moto_server")
    if not found:
        raise RuntimeError("moto_server not found: install tests/e2e/requirements.txt (moto[server]) in the venv")
    return found


class Moto:
    """One moto_server process, stopped by its pid. IAM auth is enforced after the three
    unauthenticated calls that create the user and its access key."""

    def __init__(self, root: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(root / "moto.log", "wb")
        env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="3")
        self.proc = subprocess.Popen([moto_binary(), "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start: {(root / 'moto.log').read_text()[-2000:]}")
                time.sleep(0.1)
        iam = boto3.client("iam", endpoint_url=self.url, region_name=REGION,
                           aws_access_key_id="setup", aws_secret_access_key="setup")
        iam.create_user(UserName="qdb")
        iam.put_user_policy(UserName="qdb", PolicyName="all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="qdb")["AccessKey"]
        self.access_key, self.secret_key = key["AccessKeyId"], key["SecretAccessKey"]
        self.s3 = boto3.client("s3", endpoint_url=self.url, region_name=REGION,
                               aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def bucket(self) -> str:
        name = "qdb-" + uuid.uuid4().hex[:12]
        self.s3.create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str, prefix: str = "") -> dict[str, bytes]:
        out = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for o in page.get("Contents", []):
                out[o["Key"]] = self.s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
        return out

    def pending_uploads(self, bucket: str) -> list[dict]:
        return self.s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])

    def aws_env(self, secret: str | None = None) -> dict[str, str]:
        """Environment for the CLI."""
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": secret or self.secret_key,
                "AWS_REGION": REGION, "AWS_ENDPOINT_URL": self.url}

    def config(self, bucket: str, secret: str | None = None, part_size_mb: int | None = None) -> str:
        extra = f"      part_size_mb: {part_size_mb}\n" if part_size_mb else ""
        return ("storage:\n  snapshots_config:\n    snapshots_storage: s3\n    s3_config:\n"
                f"      bucket: {bucket}\n      region: {REGION}\n      access_key: {self.access_key}\n"
                f"      secret_key: {secret or self.secret_key}\n      endpoint_url: {self.url}\n" + extra)
