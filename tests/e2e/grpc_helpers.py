"""Raw gRPC calls for the services the Python qdrant-client has no stubs for
(`qdrant.ShardSnapshots`): hand-encoded protobuf requests and a bytes-in, bytes-out call."""

from __future__ import annotations

import grpc


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def bytes_field(number: int, data: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(data)) + data


def uint_field(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value) if value else b""


def shard_request(collection: str, shard_id: int = 0, snapshot_name: str | None = None) -> bytes:
    """CreateShardSnapshotRequest / ListShardSnapshotsRequest / DeleteShardSnapshotRequest."""
    msg = bytes_field(1, collection.encode()) + uint_field(2, shard_id)
    return msg + (bytes_field(3, snapshot_name.encode()) if snapshot_name is not None else b"")


def shard_recover_request(collection: str, shard_id: int, stored_name: str, priority: int = 0) -> bytes:
    """RecoverShardSnapshotRequest with snapshot_location.path = a stored snapshot's name."""
    return (shard_request(collection, shard_id) + bytes_field(3, bytes_field(2, stored_name.encode()))
            + uint_field(4, priority))


def raw_call(channel: grpc.Channel, method: str, request: bytes, metadata=(), timeout: float = 60) -> bytes:
    """One unary call of `package.Service/Method` with a serialized request."""
    return channel.unary_unary("/" + method)(request, metadata=list(metadata), timeout=timeout)
