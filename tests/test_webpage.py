"""Web pages that answer in MoEngage's place: title and sender read safely from hostile input."""

from __future__ import annotations

import pytest

from moecheck_gui.webpage import (
    TITLE_LIMIT,
    known_sender,
    looks_like_page,
    page_title,
    server_name,
    who_answered,
)


def test_title_of_a_block_page() -> None:
    body = b"<!DOCTYPE html><html><head><title>Access Denied</title></head><body>no</body></html>"
    assert page_title(body) == "Access Denied"


def test_entities_are_decoded_and_markup_inside_stays_words() -> None:
    body = b"<html><title>Caf&eacute; &lt;b&gt;Wi-Fi&lt;/b&gt; &amp; more</title></html>"
    assert page_title(body) == "Café Wi-Fi & more"


def test_hostile_title_is_plain_short_and_clean() -> None:
    title = "<script>alert(1)</script>\x1b[31mRED\x07\u202eevil\r\n" + "x" * 10_000
    body = f"<html><head><title>{title}</title></head></html>".encode()
    shown = page_title(body)
    assert shown is not None
    assert len(shown) <= TITLE_LIMIT
    assert "\x1b" not in shown and "\u202e" not in shown and "\n" not in shown
    assert "<script>" not in shown


def test_charset_from_the_header() -> None:
    body = "<title>Zugriff verweigert – Größe</title>".encode("latin-1", "replace")
    headers = {"content-type": "text/html; charset=ISO-8859-1"}
    assert page_title(body, headers) is not None
    assert "Zugriff verweigert" in (page_title(body, headers) or "")


@pytest.mark.parametrize("body", [b"", b"<html><body>no title</body></html>", b"\xff\xfe\x00"])
def test_no_title(body: bytes) -> None:
    assert page_title(body) is None


def test_unknown_charset_does_not_crash() -> None:
    assert page_title(b"<title>Hi</title>", {"content-type": "text/html; charset=klingon"}) == "Hi"


def test_page_detection() -> None:
    assert looks_like_page({"content-type": "text/html"}, b"")
    assert looks_like_page({}, b"  <!doctype html><p>")
    assert not looks_like_page({"content-type": "application/json"}, b'{"a": 1}')
    assert not looks_like_page({}, b"")


def test_sender_named_from_server_header_and_title() -> None:
    assert server_name({"server": "Zscaler/6.2\x1b[0m"}) == "Zscaler/6.2 [0m"
    assert known_sender("Zscaler/6.2", None) == "Zscaler (a company web filter)"
    assert known_sender(None, "FortiGuard Intrusion Prevention - Access Blocked")
    words = who_answered("squid/5.7", "ERROR: The requested URL could not be retrieved")
    assert "squid/5.7" in words and "Squid" in words and "ERROR" in words
    assert who_answered(None, None) == "a web page"
