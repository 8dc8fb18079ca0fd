"""Input cleaning and the endpoint URL: what is trimmed, what is refused, and where the key goes.

Users paste keys with stray whitespace; they must be told what was removed,
refused with a message naming the field, and the key must never be echoed.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moecheck_gui.inputs import (
    Credentials,
    InputError,
    endpoint_host,
    endpoint_url,
    normalise_credentials,
)

WHERE_KEY = "Copy it from Settings › Account › APIs in the MoEngage dashboard (Data tile)."
CANARY = "CANARYk3y9Zq"
PATH = "/v1/integrations/authentication"


# --- Credentials ----------------------------------------------------------------


def test_credentials_repr_and_str_hide_the_key() -> None:
    creds = Credentials("ABC", CANARY)
    assert repr(creds) == "Credentials(workspace_id='ABC', api_key=<hidden>)"
    assert str(creds) == repr(creds)
    assert CANARY not in f"{creds} {creds!r} {[creds]} { ({'c': creds}) }"
    assert creds.api_key == CANARY
    with pytest.raises(dataclasses.FrozenInstanceError):
        creds.api_key = "other"  # type: ignore[misc]


# --- trimming notices ---------------------------------------------------------


@pytest.mark.parametrize(
    ("workspace_id", "api_key", "notices"),
    [
        ("ABC", "key", ()),
        ("ABC", "key\n", ("Removed a trailing newline from the Data API key.",)),
        ("ABC", "key\r\n", ("Removed a trailing newline from the Data API key.",)),
        ("ABC", "key\r", ("Removed a trailing carriage return from the Data API key.",)),
        ("ABC", "key\n\n", ("Removed 2 trailing newlines from the Data API key.",)),
        ("ABC", "key\t\n", ("Removed a trailing tab and newline from the Data API key.",)),
        ("ABC", "key \t\n", ("Removed a trailing space, tab and newline from the Data API key.",)),
        ("ABC", "key  \n", ("Removed 2 trailing spaces and a newline from the Data API key.",)),
        ("  ABC", "key", ("Removed 2 leading spaces from the Workspace ID.",)),
        ("ABC ", "key", ("Removed a trailing space from the Workspace ID.",)),
        (
            " ABC\n",
            "key",
            ("Removed a leading space and a trailing newline from the Workspace ID.",),
        ),
        ("ABC", "\u00a0key", ("Removed a leading non-breaking space from the Data API key.",)),
        ("ABC\u00a0", "key", ("Removed a trailing non-breaking space from the Workspace ID.",)),
        ("ABC", "key\u200b", ("Removed a trailing zero-width space from the Data API key.",)),
        (
            "\ufeffABC",
            "key",
            ("Removed a leading invisible byte-order mark from the Workspace ID.",),
        ),
        (
            " \tABC",
            "key\r\n",
            (
                "Removed a leading space and tab from the Workspace ID.",
                "Removed a trailing newline from the Data API key.",
            ),
        ),
        (
            "ABC",
            " \tkey\n",
            ("Removed a leading space and tab, and a trailing newline from the Data API key.",),
        ),
        ("ABC", "key\u2003", ("Removed a trailing special space from the Data API key.",)),
        ("ABC", "key\u2028", ("Removed a trailing line break from the Data API key.",)),
    ],
)
def test_trimming_notices(workspace_id: str, api_key: str, notices: tuple[str, ...]) -> None:
    creds, got = normalise_credentials(workspace_id, api_key)
    assert creds == Credentials("ABC", "key")
    assert got == notices


def test_inner_characters_are_kept_as_typed() -> None:
    creds, notices = normalise_credentials("a!b~c", "K3y-_.+/=:%$")
    assert creds == Credentials("a!b~c", "K3y-_.+/=:%$")
    assert notices == ()


# --- refusals -------------------------------------------------------------------


def test_empty_key_message_is_exact() -> None:
    with pytest.raises(InputError) as info:
        normalise_credentials("ABC", "")
    assert info.value.field == "api_key"
    assert info.value.message == f"The Data API key is empty. {WHERE_KEY}"
    assert str(info.value) == info.value.message
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("workspace_id", "api_key", "field", "fragments"),
    [
        ("", "key", "workspace_id", ["Workspace ID", "is empty"]),
        (" \n\u00a0", "key", "workspace_id", ["Workspace ID", "is empty", "only spaces"]),
        ("ABC", "   ", "api_key", ["Data API key", "is empty", "only spaces"]),
        ("ABC", "\u200b\ufeff", "api_key", ["Data API key", "is empty"]),
        ("A" * 257, "key", "workspace_id", ["Workspace ID", "too long", "257", "256"]),
        ("ABC", "k" * 300, "api_key", ["Data API key", "too long", "300", "256"]),
        ("ABC", "ke y", "api_key", ["Data API key", "contains a space", "character 3"]),
        ("AB C", "key", "workspace_id", ["Workspace ID", "contains a space"]),
        ("ABC", "ke\ny", "api_key", ["Data API key", "line break", "one line"]),
        ("ABC", "ke\r\nX-Evil: 1", "api_key", ["Data API key", "line break"]),
        ("ABC", "ke\ty", "api_key", ["Data API key", "a tab"]),
        ("ABC", "ke\u00a0y", "api_key", ["Data API key", "non-breaking space"]),
        ("ABC", "ke\u200by", "api_key", ["Data API key", "invisible character"]),
        ("ABC", "ke\x00y", "api_key", ["Data API key", "control character"]),
        ("ABC", "key\x00", "api_key", ["Data API key", "control character"]),
        ("ABC", "ke\x7fy", "api_key", ["Data API key", "control character"]),
        ("ABC", "ke\x1b[0my", "api_key", ["Data API key", "control character"]),
        ("ABC", "\u201ckey\u201d", "api_key", ["Data API key", "curly quote", "character 1"]),
        ("ABC", "kéy", "api_key", ["Data API key", "cannot be part of a key"]),
        ("ÄBC", "key", "workspace_id", ["Workspace ID", "cannot be part of a Workspace ID"]),
        ("ABC", "ke\u202ey", "api_key", ["Data API key", "control character"]),
    ],
)
def test_refusals_name_the_field_and_the_problem(
    workspace_id: str, api_key: str, field: str, fragments: list[str]
) -> None:
    with pytest.raises(InputError) as info:
        normalise_credentials(workspace_id, api_key)
    assert info.value.field == field
    for fragment in fragments:
        assert fragment in info.value.message
    assert "Settings › Account › APIs" in info.value.message


def test_workspace_is_checked_before_key() -> None:
    with pytest.raises(InputError) as info:
        normalise_credentials("", "")
    assert info.value.field == "workspace_id"


def test_exactly_256_characters_is_allowed() -> None:
    creds, _ = normalise_credentials("W" * 256, "k" * 256)
    assert len(creds.api_key) == 256


@pytest.mark.parametrize("value", [None, 5, b"key"])
def test_non_text_is_refused_not_crashed(value: object) -> None:
    with pytest.raises(InputError) as info:
        normalise_credentials("ABC", value)  # type: ignore[arg-type]
    assert info.value.field == "api_key"
    assert "missing" in info.value.message


# --- properties -----------------------------------------------------------------

_ANY_TEXT = st.text(max_size=40)


@given(_ANY_TEXT, _ANY_TEXT, _ANY_TEXT, _ANY_TEXT)
def test_canary_key_never_in_any_error(pre: str, post: str, ws_pre: str, ws_post: str) -> None:
    """Whatever surrounds the key (or wherever it was pasted), no message repeats it."""
    for workspace_id, api_key in (
        ("ABC", pre + CANARY + post),
        (ws_pre + CANARY + ws_post, pre + CANARY + post),
        (ws_pre + "W" + ws_post, pre + CANARY + post),
    ):
        try:
            creds, notices = normalise_credentials(workspace_id, api_key)
        except InputError as error:
            assert CANARY not in error.message
            assert CANARY not in str(error)
            assert CANARY not in repr(error)
            assert all(CANARY not in str(arg) for arg in error.args)
        else:
            assert CANARY not in repr(creds).replace(creds.workspace_id, "")
            assert all(CANARY not in notice for notice in notices)


_PRINTABLE = set(map(chr, range(0x21, 0x7F)))
# Arbitrary text alone is almost never accepted; near-valid text (printable
# ASCII plus the odd space, newline or NBSP) exercises the accepting path too.
_NEAR_VALID = st.text(
    alphabet=st.sampled_from([*sorted(_PRINTABLE), " ", "\n", "\r", "\t", "\u00a0", "\ufeff"]),
    max_size=300,
)
_FIELDS = st.one_of(st.text(max_size=300), _NEAR_VALID)


@given(_FIELDS, _FIELDS)
def test_accepted_values_are_printable_ascii_and_idempotent(
    workspace_id: str, api_key: str
) -> None:
    try:
        creds, _ = normalise_credentials(workspace_id, api_key)
    except InputError as error:
        assert error.field in ("workspace_id", "api_key")
        assert error.message
        return
    for value in (creds.workspace_id, creds.api_key):
        assert 1 <= len(value) <= 256
        assert set(value) <= _PRINTABLE
    assert normalise_credentials(creds.workspace_id, creds.api_key) == (creds, ())


_WHITESPACE = st.text(
    alphabet=st.sampled_from(" \t\n\r\u00a0\u200b\ufeff\u2003\u3000\x0b\x0c\u2028"), max_size=6
)
_KEYLIKE = st.text(alphabet=st.sampled_from(sorted(_PRINTABLE)), min_size=1, max_size=256)


@given(_WHITESPACE, _KEYLIKE, _WHITESPACE)
def test_outer_whitespace_is_always_trimmed_with_a_notice(lead: str, key: str, trail: str) -> None:
    creds, notices = normalise_credentials("ABC", lead + key + trail)
    assert creds.api_key == key
    if lead or trail:
        assert len(notices) == 1
        assert notices[0].startswith("Removed ")
        assert notices[0].endswith(" from the Data API key.")
    else:
        assert notices == ()


@given(
    st.text(max_size=20),
    st.sampled_from(["\r", "\n", "\x00", "\r\n", "\x85", "\u2028"]),
    st.text(max_size=20),
)
def test_header_breaking_characters_never_survive(pre: str, bad: str, post: str) -> None:
    """CR, LF and NUL would split or truncate an HTTP header; inside a value they are refused."""
    value = "k" + pre + bad + post + "k"
    for workspace_id, api_key in ((value, "key"), ("ABC", value)):
        try:
            creds, _ = normalise_credentials(workspace_id, api_key)
        except InputError:
            continue
        raise AssertionError(f"accepted a value with {bad!r}: {creds!r}")


# --- endpoint_url ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_api_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOECHECK_API_BASE", raising=False)


@pytest.mark.parametrize(
    ("dc", "url"),
    [
        ("01", f"https://api-01.moengage.com{PATH}"),
        ("02", f"https://api-02.moengage.com{PATH}"),
        ("03", f"https://api-03.moengage.com{PATH}"),
        ("04", f"https://api-04.moengage.com{PATH}"),
        ("05", f"https://api-05.moengage.com{PATH}"),
        ("06", f"https://api-06.moengage.com{PATH}"),
        ("101", f"https://api-101.moengage.com{PATH}"),
    ],
)
def test_default_hosts(dc: str, url: str) -> None:
    assert endpoint_url(dc) == url
    assert endpoint_url(dc, "") == url
    assert "api-0101" not in endpoint_url(dc)


@pytest.mark.parametrize(
    ("base", "dc", "url"),
    [
        ("https://gw.example/{dc}", "101", f"https://gw.example/101{PATH}"),
        ("https://api-{dc}.gw.example/", "05", f"https://api-05.gw.example{PATH}"),
        ("https://gw.example", "02", f"https://gw.example{PATH}"),
        ("https://gw.example:8443/moe/", "01", f"https://gw.example:8443/moe{PATH}"),
        ("HTTPS://GW.example", "01", f"HTTPS://GW.example{PATH}"),
        ("http://127.0.0.1:8080/dc-{dc}", "01", f"http://127.0.0.1:8080/dc-01{PATH}"),
        ("http://127.5.5.5/dc-{dc}", "101", f"http://127.5.5.5/dc-101{PATH}"),
        ("http://localhost:9/{dc}/", "03", f"http://localhost:9/03{PATH}"),
        ("http://LOCALHOST.", "03", f"http://LOCALHOST.{PATH}"),
        ("http://[::1]:8080", "04", f"http://[::1]:8080{PATH}"),
        ("  https://gw.example/{dc}  ", "06", f"https://gw.example/06{PATH}"),
    ],
)
def test_base_templates(base: str, dc: str, url: str) -> None:
    assert endpoint_url(dc, base) == url


def test_base_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOECHECK_API_BASE", "http://127.0.0.1:5000/dc-{dc}")
    assert endpoint_url("101") == f"http://127.0.0.1:5000/dc-101{PATH}"
    # An explicit base wins over the environment.
    assert endpoint_url("01", "https://gw.example") == f"https://gw.example{PATH}"
    monkeypatch.setenv("MOECHECK_API_BASE", "")
    assert endpoint_url("01") == f"https://api-01.moengage.com{PATH}"


@pytest.mark.parametrize(
    ("base", "fragment"),
    [
        ("http://gw.example/{dc}", "plain http://"),
        ("http://api-{dc}.moengage.com", "plain http://"),
        ("http://10.0.0.1", "plain http://"),
        ("http://128.0.0.1", "plain http://"),
        ("http://localhost.evil.example", "plain http://"),
        ("http://127.0.0.1.evil.example", "plain http://"),
        ("http://[::2]", "plain http://"),
        ("https://user:secret@gw.example", "user name or password"),
        ("http://127.0.0.1@evil.example", "user name or password"),
        ("https://gw.example@127.0.0.1", "user name or password"),
        ("garbage", "http:// or https://"),
        ("ftp://gw.example", "http:// or https://"),
        ("https://", "http:// or https://"),
        ("https:///path", "http:// or https://"),
        ("https://gw.example:99999", "not a valid web address"),
        ("https://[gw.example", "not a valid web address"),
        ("https://gw.example/?x=1", "'?' or '#'"),
        ("https://gw.example/#x", "'?' or '#'"),
        ("https://gw.example/{DC}", "placeholder"),
        ("https://gw.example/{region}", "placeholder"),
        ("https://gw.exa mple", "spaces"),
        ("https://gw.example/\r\nX: 1", "spaces"),
        ("https://gwé.example", "ASCII"),
    ],
)
def test_unsafe_bases_refused(base: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        endpoint_url("01", base)
    assert info.value.field == "api_base"
    assert info.value.message.startswith("MOECHECK_API_BASE ")
    assert fragment in info.value.message
    assert "secret" not in info.value.message


def test_plain_http_message_explains_why() -> None:
    with pytest.raises(InputError) as info:
        endpoint_url("01", "http://gw.example")
    assert "not this computer" in info.value.message
    assert "unencrypted" in info.value.message
    assert "https://" in info.value.message


def test_unsafe_base_from_environment_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOECHECK_API_BASE", "http://gw.example/{dc}")
    with pytest.raises(InputError) as info:
        endpoint_url("01")
    assert info.value.field == "api_base"


@pytest.mark.parametrize("dc", ["1", "5", "DC-01", "07", "0101", "", "٠١"])
def test_unnormalised_dc_refused(dc: str) -> None:
    with pytest.raises(InputError) as info:
        endpoint_url(dc)
    assert info.value.field == "dc"
    assert "DC-01" in info.value.message


@pytest.mark.parametrize(
    ("url", "host"),
    [
        (f"https://api-01.moengage.com{PATH}", "api-01.moengage.com"),
        (f"https://api-101.moengage.com{PATH}", "api-101.moengage.com"),
        (f"http://127.0.0.1:8080/dc-01{PATH}", "127.0.0.1:8080"),
        (f"http://[::1]:8080{PATH}", "[::1]:8080"),
        ("https://user:pw@gw.example:8443/x", "gw.example:8443"),
        ("not a url", ""),
        ("https://gw.example:99999/", ""),
    ],
)
def test_endpoint_host(url: str, host: str) -> None:
    assert endpoint_host(url) == host


@given(st.text(max_size=200))
def test_endpoint_host_never_raises(url: str) -> None:
    assert isinstance(endpoint_host(url), str)
