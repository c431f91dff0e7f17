"""The dataset: 32,033 first names, one a line.

Where the file comes from, in order:

1. the path in the environment variable MICROGPT_DATA, if it is set;
2. a copy cached by an earlier download (~/.cache/microgpt/names.txt);
3. a download from the pinned makemore commit, saved to that cache.

Whichever it is, its SHA-256 must match the pinned one: every number in the
guide was computed from exactly this file, so a different file is an error,
never a silently different run.
"""

import hashlib
import os
import urllib.request
from pathlib import Path

DATA_URL = "https://raw.githubusercontent.com/karpathy/makemore/988aa59/names.txt"
DATA_SHA256 = "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"
DATA_ENV = "MICROGPT_DATA"
SEED = 42


class DataError(Exception):
    """The dataset cannot be used. The message says what to do about it."""


def cache_path():
    """Where a downloaded names.txt is kept between runs."""
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "microgpt" / "names.txt"


def sha256_of(raw):
    return hashlib.sha256(raw).hexdigest()


def read_bytes(path, what):
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise DataError(f"{what} {path} does not exist; fix the path or unset {DATA_ENV} to download the file") from None
    except IsADirectoryError:
        raise DataError(f"{what} {path} is a directory; point {DATA_ENV} at the names.txt file itself") from None
    except OSError as err:
        raise DataError(f"{what} {path} cannot be read ({err.strerror}); check its permissions") from None


def check_checksum(raw, path, what):
    digest = sha256_of(raw)
    if digest != DATA_SHA256:
        raise DataError(
            f"{what} {path} is not the pinned names.txt (SHA-256 {digest[:12]}..., "
            f"expected {DATA_SHA256[:12]}...); use the file from {DATA_URL}"
        )


def download(url=DATA_URL, timeout=30):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read()
    except OSError as err:
        reason = getattr(err, "reason", None) or err
        raise DataError(
            f"names.txt is not cached and the download from {url} failed ({reason}); "
            f"connect to the internet or set {DATA_ENV}=/path/to/names.txt"
        ) from None


def save_to_cache(raw, path):
    """Write atomically, so an interrupted download never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(raw)
    partial.replace(path)


def locate_dataset():
    """Return (path, raw bytes) of a verified names.txt, downloading it if need be."""
    given = os.environ.get(DATA_ENV)
    if given:
        raw = read_bytes(given, f"{DATA_ENV}:")
        check_checksum(raw, given, f"{DATA_ENV}:")
        return Path(given), raw
    cached = cache_path()
    if cached.is_file():
        raw = read_bytes(cached, "the cached copy")
        if sha256_of(raw) == DATA_SHA256:
            return cached, raw
        # A damaged cache is not the user's fault: fetch a fresh copy below.
    raw = download()
    check_checksum(raw, DATA_URL, "the download from")
    try:
        save_to_cache(raw, cached)
    except OSError as err:
        raise DataError(f"cannot write the cache {cached} ({err.strerror}); set {DATA_ENV} to a local copy instead") from None
    return cached, raw


# --8<-- [start:parse_docs]
def parse_docs(raw):
    """One document per non-empty line, surrounding whitespace removed."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DataError("names.txt is not UTF-8 text") from None
    return [line.strip() for line in text.strip().split("\n") if line.strip()]
# --8<-- [end:parse_docs]


# --8<-- [start:load_docs]
def load_docs(rng):
    """Read every name, then shuffle them once: the first thing the RNG does."""
    path, raw = locate_dataset()
    docs = parse_docs(raw)
    rng.shuffle(docs)
    return docs
# --8<-- [end:load_docs]
