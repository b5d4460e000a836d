"""Where artifacts live: local folders or s3://bucket/prefix, through one small set of functions.

S3 goes through pyarrow's S3FileSystem and boto3, both configured from the standard AWS
environment (AWS_ENDPOINT_URL[_S3], AWS_REGION / AWS_DEFAULT_REGION, the credential chain incl.
IRSA), so the same code talks to AWS and to a local S3-compatible server.

A stage's artifact is a folder. It is complete only when its `manifest.json`, written last, is
there: a folder without one is an interrupted attempt and gets redone.
"""

from __future__ import annotations

import fnmatch
import glob as globlib
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import pyarrow.fs as pafs

MANIFEST = "manifest.json"


def is_s3(uri: str) -> bool:
    return uri.startswith("s3://")


def join(uri: str, *parts: str) -> str:
    out = uri.rstrip("/")
    for p in parts:
        out = f"{out}/{p.strip('/')}"
    return out


def s3_endpoint() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")


def _s3_region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


@lru_cache(maxsize=4)
def _s3_filesystem(endpoint: str | None, region: str) -> pafs.S3FileSystem:
    kwargs: dict = {"region": region}
    if endpoint:
        scheme, _, host = endpoint.partition("://")
        kwargs.update(endpoint_override=host or scheme, scheme=scheme if host else "https")
        # S3-compatible servers other than AWS do not do virtual-host addressing.
        kwargs["force_virtual_addressing"] = False
    return pafs.S3FileSystem(**kwargs)


def filesystem(uri: str) -> tuple[pafs.FileSystem, str]:
    """The pyarrow filesystem for a URI and the path within it (no scheme for S3)."""
    if is_s3(uri):
        return _s3_filesystem(s3_endpoint(), _s3_region()), uri[len("s3://"):].rstrip("/")
    return pafs.LocalFileSystem(), os.path.abspath(uri)


def s3_client():
    import boto3

    return boto3.client("s3", endpoint_url=s3_endpoint(), region_name=_s3_region())


def _split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[len("s3://"):].partition("/")
    return bucket, key


def exists(uri: str) -> bool:
    fs, path = filesystem(uri)
    return fs.get_file_info(path).type != pafs.FileType.NotFound


def read_text(uri: str) -> str:
    fs, path = filesystem(uri)
    with fs.open_input_stream(path) as f:
        return f.read().decode()


def write_parquet(table, uri: str) -> None:
    """Write one parquet file (a pyarrow Table), creating its folder; S3 or local alike."""
    import pyarrow.parquet as pq

    fs, path = filesystem(uri)
    fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
    with fs.open_output_stream(path) as f:
        pq.write_table(table, f)


def read_parquet(uri: str):
    """One parquet file as a pyarrow Table, read where it lies (S3 or local): no cached copy.

    Not localize(), which copies a folder: given a file on S3 it failed ('Is a directory')."""
    import pyarrow.parquet as pq

    fs, path = filesystem(uri)
    return pq.read_table(path, filesystem=fs)


def write_text(uri: str, text: str) -> None:
    """Write a whole file; locally through a temporary name so readers never see half a file."""
    fs, path = filesystem(uri)
    if is_s3(uri):  # an S3 PUT is atomic already
        with fs.open_output_stream(path) as f:
            f.write(text.encode())
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    tmp = f"{path}.tmp-{uuid.uuid4().hex[:8]}"
    Path(tmp).write_text(text)
    os.replace(tmp, path)


def remove_tree(uri: str) -> None:
    fs, path = filesystem(uri)
    info = fs.get_file_info(path)
    if info.type == pafs.FileType.Directory:
        fs.delete_dir(path)
    elif info.type == pafs.FileType.File:
        fs.delete_file(path)
    elif is_s3(uri):  # S3 "folders" may exist only as key prefixes
        fs.delete_dir_contents(path, missing_dir_ok=True)


def make_dirs(uri: str) -> None:
    fs, path = filesystem(uri)
    fs.create_dir(path, recursive=True)


@dataclass(frozen=True)
class FileRef:
    uri: str
    size: int
    etag: str | None = None  # from the S3 listing; None for a local file

    @cached_property
    def fingerprint(self) -> str:
        """The ETag on S3 (the content MD5 for simple uploads); locally the sha256 of the content.

        Computed on first use: listing a corpus to read it, or to check that its paths exist,
        must not read every byte of it first. Only the rerun check needs it; the corpus stage's
        other listings hashed its inputs too, 0.12 s per listing at 30x and 0.47 s at 100x of
        benchmarks/corpus.py's corpus (benchmarks/corpus_listing.py).
        """
        return self.etag if self.etag is not None else _sha256_file(self.uri)


def expand(pattern: str) -> list[FileRef]:
    """Files named by a file, a folder (recursively) or a glob, sorted, fingerprinted on demand."""
    if is_s3(pattern):
        return _expand_s3(pattern)
    matches = globlib.glob(pattern, recursive=True) if globlib.has_magic(pattern) else [pattern]
    files: list[str] = []
    for m in matches:
        if os.path.isdir(m):
            files += [str(p) for p in Path(m).rglob("*") if p.is_file()]
        elif os.path.isfile(m):
            files.append(m)
    names = sorted({os.path.abspath(f) for f in files if not os.path.basename(f).startswith((".", "_"))})
    return [FileRef(f, os.path.getsize(f)) for f in names]


def _sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _expand_s3(pattern: str) -> list[FileRef]:
    bucket, key = _split_s3(pattern)
    magic = globlib.has_magic(key)
    prefix = key.split("*")[0].split("?")[0].split("[")[0] if magic else key
    paginator = s3_client().get_paginator("list_objects_v2")
    out = []
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            k = obj["Key"]
            name = k.rsplit("/", 1)[-1]
            if name.startswith((".", "_")) or k.endswith("/"):
                continue
            inside = fnmatch.fnmatchcase(k, key) if magic else (k == key or k.startswith(key.rstrip("/") + "/"))
            if inside:
                out.append(FileRef(f"s3://{bucket}/{k}", obj["Size"], etag=obj["ETag"].strip('"')))
    return sorted(out, key=lambda r: r.uri)


def upload_dir(local: str | Path, uri: str) -> None:
    fs, path = filesystem(uri)
    if not is_s3(uri):
        if Path(path).exists():
            shutil.rmtree(path)
        shutil.copytree(local, path)
        return
    pafs.copy_files(str(local), path, source_filesystem=pafs.LocalFileSystem(), destination_filesystem=fs)


def download_dir(uri: str, local: str | Path) -> None:
    fs, path = filesystem(uri)
    Path(local).mkdir(parents=True, exist_ok=True)
    pafs.copy_files(path, str(local), source_filesystem=fs, destination_filesystem=pafs.LocalFileSystem())


def cache_dir() -> Path:
    return Path(os.environ.get("MEDIPHI_CACHE", Path.home() / ".cache" / "mediphi"))


def localize(uri: str, version: str = "") -> Path:
    """A local folder holding the artifact at `uri`: itself when local, a cached copy for S3.

    `version` (e.g. the artifact's manifest digest) keys the cache, so a changed artifact is
    downloaded again while an unchanged one is reused.
    """
    if not is_s3(uri):
        return Path(uri)
    key = hashlib.sha256(f"{uri}@{version}".encode()).hexdigest()[:20]
    target = cache_dir() / "s3" / key
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent))
    download_dir(uri, tmp)
    (tmp / ".complete").touch()
    try:
        os.replace(tmp, target)
    except OSError:  # another process won the race: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
    return target


# --- manifests: the commit marker of a stage --------------------------------------------------


def read_manifest(artifact_uri: str) -> dict | None:
    uri = join(artifact_uri, MANIFEST)
    if not exists(uri):
        return None
    return json.loads(read_text(uri))


def manifest_digest(manifest: dict) -> str:
    """The content identity of an artifact, for the manifests of the stages that read it."""
    keyed = {k: manifest[k] for k in ("stage", "config_hash", "inputs", "files") if k in manifest}
    return hashlib.sha256(json.dumps(keyed, sort_keys=True).encode()).hexdigest()[:16]


def list_tree(uri: str) -> dict[str, int]:
    """Relative path -> size of every file under a folder (for manifests)."""
    fs, path = filesystem(uri)
    infos = fs.get_file_info(pafs.FileSelector(path, recursive=True, allow_not_found=True))
    return {
        i.path[len(path):].lstrip("/"): i.size
        for i in infos
        if i.type == pafs.FileType.File and not i.path.endswith(MANIFEST)
    }
