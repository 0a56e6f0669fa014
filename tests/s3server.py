"""A throwaway S3-compatible server for tests and benchmarks: moto's server on 127.0.0.1.

It is a real HTTP server speaking the S3 protocol (moto in server mode, ``pip install
'moto[server]'``), so DuckDB's httpfs talks to it exactly as to a bucket in the cloud.

>>> with TempS3() as s3:                                        # doctest: +SKIP
...     s3.bucket("team")
...     store = eventlog.open(pg.lake("events"), data_path="s3://team/events/", s3=s3.options, create=True)
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any

__all__ = ["S3Unavailable", "TempS3"]

#: moto accepts any credentials; these are what the tests hand to eventlog (and check it never prints).
KEY_ID = "AKIAEVENTLOGTEST0001"
SECRET = "eventlog-test-secret-9f3b2c71"


class S3Unavailable(RuntimeError):
    """moto's server is not installed or would not start."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TempS3:
    """Start moto's S3 server on a free port; :meth:`stop` (or leaving ``with``) ends it."""

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> TempS3:
        try:
            import moto.server  # noqa: F401
        except ImportError as exc:
            raise S3Unavailable(f"moto's server is not installed (pip install 'moto[server]'): {exc}") from None
        self.port = _free_port()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise S3Unavailable(f"moto's server exited with {self._proc.returncode}")
            try:
                urllib.request.urlopen(self.url + "/", timeout=1).close()
                return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise S3Unavailable(f"moto's server did not answer on port {self.port} within {self.timeout:g} s")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
            self._proc = None

    def __enter__(self) -> TempS3:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def options(self) -> dict[str, Any]:
        """The ``s3=`` option of :func:`eventlog.open` for this server."""
        return {"endpoint": self.url, "key_id": KEY_ID, "secret": SECRET, "region": "us-east-1"}

    @property
    def env(self) -> dict[str, str]:
        """The same as AWS environment variables (what the CLI and other processes read)."""
        return {"AWS_ENDPOINT_URL": self.url, "AWS_ACCESS_KEY_ID": KEY_ID,
                "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_REGION": "us-east-1"}

    def bucket(self, name: str) -> str:
        """Create a bucket; its ``s3://`` URL."""
        req = urllib.request.Request(f"{self.url}/{name}", method="PUT")
        urllib.request.urlopen(req, timeout=10).close()
        return f"s3://{name}"

    def objects(self, bucket: str, prefix: str = "") -> dict[str, int]:
        """Every object key in a bucket (under ``prefix``) with its size in bytes."""
        out: dict[str, int] = {}
        token: str | None = None
        while True:
            query = f"list-type=2&prefix={urllib.request.quote(prefix)}"
            if token:
                query += f"&continuation-token={urllib.request.quote(token)}"
            with urllib.request.urlopen(f"{self.url}/{bucket}?{query}", timeout=10) as resp:
                root = ET.fromstring(resp.read())
            ns = {"s3": root.tag.split("}")[0].strip("{")} if root.tag.startswith("{") else {}
            tag = (lambda t: f"s3:{t}") if ns else (lambda t: t)
            for item in root.findall(tag("Contents"), ns):
                out[item.findtext(tag("Key"), "", ns)] = int(item.findtext(tag("Size"), "0", ns))
            if root.findtext(tag("IsTruncated"), "false", ns) != "true":
                return out
            token = root.findtext(tag("NextContinuationToken"), None, ns)
