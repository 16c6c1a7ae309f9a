"""Multipart snapshot uploads sent by hand: the body's head and tail around an archive, and an
upload that stops after the first half of the archive until the test lets it go on (to look at,
or cancel, an upload in flight)."""

import threading

import requests

BOUNDARY = "qdbuploadtest"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def multipart_head(field: str = "snapshot") -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"s.snapshot\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()


def multipart_tail() -> bytes:
    return f"\r\n--{BOUNDARY}--\r\n".encode()


class HalfSentUpload:
    """POSTs `blob` to `url` as a multipart upload from a thread, pausing after its first half.
    As a context manager: the upload starts on entry; on exit the rest is sent and the response
    waited for (`response`)."""

    def __init__(self, url: str, blob: bytes):
        self.url, self.blob = url, blob
        self._resume = threading.Event()
        self._thread = threading.Thread(target=self._send)
        self.response: requests.Response | None = None

    def _body(self):
        half = len(self.blob) // 2
        yield multipart_head()
        yield self.blob[:half]
        self._resume.wait(30)
        yield self.blob[half:]
        yield multipart_tail()

    def _send(self):
        self.response = requests.post(self.url, data=self._body(), headers={"Content-Type": CONTENT_TYPE}, timeout=60)

    def __enter__(self) -> "HalfSentUpload":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._resume.set()
        self._thread.join(60)
