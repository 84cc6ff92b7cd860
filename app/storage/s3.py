"""S3 media storage (AWS, MinIO, R2, any S3-compatible endpoint) with boto3.

The bucket stays private: browsers upload with presigned POSTs (exact key, size cap and
content type in the signed policy) and everyone reads through presigned GETs.
"""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO, cast

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from app.storage.base import ObjectInfo, PresignedUpload, Storage, check_key


class S3Storage(Storage):
    name = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str = "",
        region: str = "us-east-1",
        access_key_id: str = "",
        secret_access_key: str = "",
        path_style: bool = False,
    ) -> None:
        if not bucket:
            raise ValueError("HERALD_S3_BUCKET is required with HERALD_STORAGE=s3")
        self.bucket = bucket
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if path_style else "auto"},
            retries={"max_attempts": 3, "mode": "standard"},
        )
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            config=config,
        )

    def presign_upload(
        self, key: str, content_type: str, max_bytes: int, expires: int
    ) -> PresignedUpload:
        post = self.client.generate_presigned_post(
            self.bucket,
            check_key(key),  # boto3 adds the exact {"key": key} condition
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires,
        )
        until = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=expires)
        return PresignedUpload(
            url=post["url"], method="POST", expires_at=until, fields=dict(post["fields"])
        )

    def head(self, key: str) -> ObjectInfo | None:
        try:
            found = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return ObjectInfo(int(found["ContentLength"]), found.get("ContentType"))

    def open(self, key: str) -> BinaryIO:
        """The object's streaming body: each read() pulls the next bytes off the socket."""
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        return cast(BinaryIO, body)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=check_key(key), Body=data, ContentType=content_type
        )

    def url_for(self, key: str, expires: int, content_type: str | None = None) -> str:
        params = {"Bucket": self.bucket, "Key": key}
        if content_type:
            params["ResponseContentType"] = content_type
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires)
