"""The window's log: where it goes, and that it never holds a key."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from moecheck_gui import applog


@pytest.fixture
def logfile(private_home: Path) -> Iterator[Path]:
    path = applog.setup_logging(level=logging.DEBUG)
    assert path is not None
    yield path
    applog.shutdown_logging()


def test_log_lives_in_the_platform_log_folder(logfile: Path, private_home: Path) -> None:
    assert logfile.is_relative_to(private_home / ".local" / "state")
    assert applog.current_log_file() == logfile


def test_registered_secrets_and_credential_fields_are_redacted(logfile: Path) -> None:
    secret = "sk-live-0123456789abcdef"
    applog.register_secret(secret)
    try:
        log = logging.getLogger("moecheck.test")
        log.info("key is %s", secret)
        log.debug("Authorization: Basic V1M6c2VjcmV0")
        log.debug('body {"app_id": "WS", "app_secret": "other-secret-99"}')
        try:
            raise ValueError(f"failed with {secret}")
        except ValueError:
            log.exception("boom")
    finally:
        applog.unregister_secret(secret)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = logfile.read_text()
    assert secret not in text
    assert "V1M6c2VjcmV0" not in text and "other-secret-99" not in text
    assert text.count("[redacted]") >= 4
    assert "ValueError" in text and "app_id" in text


def test_unwritable_log_folder_means_no_file_logging(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    try:
        assert applog.setup_logging(directory=blocker / "logs") is None
        assert applog.current_log_file() is None
        logging.getLogger("moecheck.test").warning("still fine")
    finally:
        applog.shutdown_logging()
