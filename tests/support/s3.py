"""S3 for tests: moto's S3 server on a free local port with one bucket, and Herald's settings
pointed at it for a test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer
from pydantic import SecretStr

from tests.support.processes import free_port


@contextmanager
def moto_s3(bucket: str) -> Iterator[str]:
    """moto's S3 server with `bucket` created; yields its URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    try:
        boto3.client(
            "s3",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(s3={"addressing_style": "path"}),
        ).create_bucket(Bucket=bucket)
        yield url
    finally:
        server.stop()


def store_in_s3(monkeypatch: pytest.MonkeyPatch, url: str, bucket: str) -> None:
    """Herald stores media in `bucket` on the S3 server at `url` for the rest of the test."""
    from app.config import settings  # the settings read the test run's environment

    for name, value in {
        "storage": "s3",
        "s3_bucket": bucket,
        "s3_endpoint_url": url,
        "s3_region": "us-east-1",
        "s3_access_key_id": "test",
        "s3_secret_access_key": SecretStr("test"),
        "s3_path_style": True,
    }.items():
        monkeypatch.setattr(settings, name, value)
