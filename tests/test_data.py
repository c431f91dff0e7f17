import hashlib
import urllib.error

import pytest

from microgpt import data
from microgpt.data import DATA_ENV, DATA_SHA256, DataError, load_docs, locate_dataset, parse_docs
from tests.conftest import run_cli


class FakeResponse:
    def __init__(self, body):
        self.body = body

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def read(self):
        return self.body


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No MICROGPT_DATA, an empty cache, and no network: each test adds what it needs."""
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def offline(url, timeout):
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(data.urllib.request, "urlopen", offline)
    return tmp_path


def test_the_pinned_file_loads_and_shuffles_with_seed_42(names_path):
    import random

    docs = load_docs(random.Random(42))
    assert len(docs) == 32033
    assert docs[:3] == ["yuheng", "diondre", "xavien"]
    assert hashlib.sha256(names_path.read_bytes()).hexdigest() == DATA_SHA256


def test_parse_drops_blank_lines_and_whitespace():
    assert parse_docs(b"  emma\n\nolivia \r\n\nava\n") == ["emma", "olivia", "ava"]


def test_environment_path_is_used(isolated, monkeypatch, names_path):
    monkeypatch.setenv(DATA_ENV, str(names_path))
    path, raw = locate_dataset()
    assert path == names_path and len(raw) == 228145


def test_missing_environment_path_says_what_to_do(isolated, monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(isolated / "nope.txt"))
    with pytest.raises(DataError, match=r"nope\.txt does not exist; fix the path or unset MICROGPT_DATA"):
        locate_dataset()


def test_directory_instead_of_file(isolated, monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(isolated))
    with pytest.raises(DataError, match="is a directory; point MICROGPT_DATA at the names.txt file itself"):
        locate_dataset()


def test_unreadable_path(isolated, monkeypatch):
    blocker = isolated / "plain-file"
    blocker.write_text("x")
    monkeypatch.setenv(DATA_ENV, str(blocker / "names.txt"))  # a file cannot contain files
    with pytest.raises(DataError, match=r"cannot be read \(Not a directory\)"):
        locate_dataset()


def test_wrong_checksum_is_refused(isolated, monkeypatch):
    wrong = isolated / "names.txt"
    wrong.write_text("emma\nolivia\n")
    monkeypatch.setenv(DATA_ENV, str(wrong))
    with pytest.raises(DataError, match=r"is not the pinned names.txt \(SHA-256 [0-9a-f]{12}\.\.\., expected 0a30b5557f19"):
        locate_dataset()


def test_offline_without_cache_says_what_to_do(isolated):
    with pytest.raises(DataError) as err:
        locate_dataset()
    message = str(err.value)
    assert "download from https://raw.githubusercontent.com/karpathy/makemore/988aa59/names.txt failed" in message
    assert "network is unreachable" in message
    assert message.endswith("connect to the internet or set MICROGPT_DATA=/path/to/names.txt")


def test_download_is_verified_and_cached(isolated, monkeypatch, names_path):
    body = names_path.read_bytes()
    calls = []

    def fake_urlopen(url, timeout):
        calls.append(url)
        return FakeResponse(body)

    monkeypatch.setattr(data.urllib.request, "urlopen", fake_urlopen)
    path, raw = locate_dataset()
    assert calls == [data.DATA_URL]
    assert path == isolated / "cache" / "microgpt" / "names.txt"
    assert path.read_bytes() == body and raw == body
    # The second time it comes from the cache: no download.
    locate_dataset()
    assert calls == [data.DATA_URL]


def test_corrupt_download_is_refused_and_not_cached(isolated, monkeypatch):
    monkeypatch.setattr(data.urllib.request, "urlopen", lambda url, timeout: FakeResponse(b"<html>rate limited</html>"))
    with pytest.raises(DataError, match="the download from https://.* is not the pinned names.txt"):
        locate_dataset()
    assert not (isolated / "cache" / "microgpt" / "names.txt").exists()


def test_damaged_cache_is_fetched_again(isolated, monkeypatch, names_path):
    cached = isolated / "cache" / "microgpt" / "names.txt"
    cached.parent.mkdir(parents=True)
    cached.write_text("half a fi")
    monkeypatch.setattr(data.urllib.request, "urlopen", lambda url, timeout: FakeResponse(names_path.read_bytes()))
    path, raw = locate_dataset()
    assert path == cached
    assert cached.read_bytes() == names_path.read_bytes()


def test_cli_error_is_one_line_without_traceback(tmp_path):
    import os

    env = {**os.environ, DATA_ENV: str(tmp_path / "missing.txt")}
    result = run_cli("run", 0, env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("microgpt: error: MICROGPT_DATA: ")
    assert "Traceback" not in result.stderr


def test_cli_data_command_reports_the_verified_file(data_env, names_path):
    result = run_cli("data", env=data_env)
    assert result.returncode == 0
    assert result.stdout == f"{names_path}: 228,145 bytes, SHA-256 {DATA_SHA256} (verified)\n"
