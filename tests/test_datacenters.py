"""Data center table and parsing: every way a user writes a DC, and every look-alike refused.

A wrong DC sends the key to the wrong host, so the refusals matter as much as the
acceptances: a pasted address counts only when its host is exactly MoEngage's.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from moecheck_gui.datacenters import (
    BY_CODE,
    DATA_CENTERS,
    DC_CODES,
    HOSTS,
    DataCenterError,
    dc_from_url,
    parse_dc,
)

CHOICES = "DC-01, DC-02, DC-03, DC-04, DC-05, DC-06, DC-101"


# --- the table ----------------------------------------------------------------


def test_table_order_and_codes() -> None:
    assert DC_CODES == ("01", "02", "03", "04", "05", "06", "101")
    assert [dc.code for dc in DATA_CENTERS] == list(DC_CODES)
    assert list(BY_CODE) == list(DC_CODES)


@pytest.mark.parametrize(
    ("code", "region", "label"),
    [
        ("01", "US", "DC-01 — US"),
        ("02", "EU", "DC-02 — EU"),
        ("03", "India", "DC-03 — India"),
        ("04", "US", "DC-04 — US"),
        ("05", "Singapore", "DC-05 — Singapore"),
        ("06", "Indonesia", "DC-06 — Indonesia"),
        ("101", None, "DC-101"),
    ],
)
def test_regions_and_labels(code: str, region: str | None, label: str) -> None:
    dc = BY_CODE[code]
    assert dc.region == region
    assert dc.label == label


@pytest.mark.parametrize("code", DC_CODES)
def test_hosts_are_dc_code_not_zero_padded(code: str) -> None:
    dc = BY_CODE[code]
    assert dc.api_host == f"api-{code}.moengage.com"
    assert dc.dashboard_host == f"dashboard-{code}.moengage.com"
    assert "api-0101" not in dc.api_host


# --- accepted spellings -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("5", "05"),
        ("05", "05"),
        ("DC-05", "05"),
        ("dc05", "05"),
        ("DC 05", "05"),
        ("dc 5", "05"),
        ("dc_5", "05"),
        ("Dc-5", "05"),
        ("1", "01"),
        ("01", "01"),
        ("6", "06"),
        ("101", "101"),
        ("DC-101", "101"),
        ("dc101", "101"),
        ("  05 \n", "05"),
        ("\t DC-03\r\n", "03"),
        ("\ufeffDC-02\u200b", "02"),
        ("DC-01 — US", "01"),
        ("dc-05 - singapore", "05"),
        ("DC-101", "101"),
        # Pasted dashboard addresses.
        ("https://dashboard-02.moengage.com/v4/#/campaigns/all?x=1", "02"),
        ("http://dashboard-03.moengage.com", "03"),
        ("dashboard-04.moengage.com", "04"),
        ("dashboard-05.moengage.com/", "05"),
        ("dashboard-06.moengage.com.", "06"),
        ("https://dashboard-101.moengage.com/v4/", "101"),
        ("HTTPS://DASHBOARD-01.MOENGAGE.COM/V4/#/", "01"),
        ("https://dashboard-01.moengage.com:443/v4/", "01"),
        ("dashboard-01.moengage.com.:443/path?q=1#frag", "01"),
        ("//dashboard-02.moengage.com/", "02"),
        ("  https://dashboard-02.moengage.com/v4/#/  \n", "02"),
        # Legacy dashboards.
        ("app.moengage.com", "01"),
        ("https://app-eu.moengage.com/v3/#/dashboard", "02"),
        ("app-serv3.moengage.com", "03"),
        # API hosts, new and legacy.
        ("api-03.moengage.com", "03"),
        ("https://api-101.moengage.com/v1/integrations/authentication", "101"),
        ("api.moengage.com", "01"),
        ("api-eu.moengage.com", "02"),
        ("API-SERV3.MOENGAGE.COM", "03"),
    ],
)
def test_accepted_spellings(value: str, code: str) -> None:
    assert parse_dc(value) == code


# --- refusals -----------------------------------------------------------------


def test_unknown_number_message_is_exact() -> None:
    with pytest.raises(DataCenterError) as info:
        parse_dc("07")
    assert info.value.message == (
        "'07' is not a MoEngage data center. Use one of DC-01, DC-02, DC-03, DC-04, DC-05, "
        "DC-06, DC-101 (you can find it in your dashboard's web address)."
    )
    assert str(info.value) == info.value.message
    assert isinstance(info.value, ValueError)
    assert info.value.field == "dc"


@pytest.mark.parametrize(
    "value",
    ["07", "0", "00", "7", "10", "100", "102", "001", "0101", "00005", "DC-07", "dc 0", "DC-1010"],
)
def test_unknown_numbers_refused(value: str) -> None:
    with pytest.raises(DataCenterError) as info:
        parse_dc(value)
    assert "is not a MoEngage data center" in info.value.message
    assert CHOICES in info.value.message


LOOK_ALIKES = [
    "dashboard-01.moengage.com.evil.example",
    "evil.example/dashboard-01.moengage.com",
    "https://evil.example/dashboard-01.moengage.com",
    "https://evil.example/?u=dashboard-01.moengage.com",
    "https://evil.example/#dashboard-01.moengage.com",
    "xdashboard-01.moengage.com",
    "dashboard-01-moengage.com",
    "dashboard-01.moengage.co",
    "dashboard-01.moengage.com.evil",
    "dashboard-07.moengage.com",
    "dashboard-0101.moengage.com",
    "api-0101.moengage.com",
    "api-1.moengage.com",
    "moengage.com",
    "www.moengage.com",
    "dashboard.moengage.com",
    "app-us.moengage.com",
    "ftp://dashboard-01.moengage.com",
    "javascript://dashboard-01.moengage.com",
    "https://dashboard-01.moengage.com:99999/",
    "https://dashboard-01.moengage.com:port/",
    "https://[dashboard-01.moengage.com/",
    "https://evil.example\\dashboard-01.moengage.com",
    "https://",
    "https://dashboard-01.moеngage.com",  # Cyrillic "е"
    "https://dashboard-01.moengage.com\u202e/",
    "dashboard-01.moen\ngage.com",
    "dashboard-01.moen\tgage.com",
    "dashboard-01.moengage.com /x",
]


@pytest.mark.parametrize("value", LOOK_ALIKES)
def test_look_alike_hosts_refused(value: str) -> None:
    with pytest.raises(DataCenterError) as info:
        parse_dc(value)
    message = info.value.message
    assert CHOICES in message
    assert dc_from_url(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "dashboard-01.moengage.com@evil.example",
        "https://dashboard-01.moengage.com@evil.example/",
        "https://user:pass@dashboard-01.moengage.com/",
        "https://dashboard-01.moengage.com\\@evil.example/",
    ],
)
def test_userinfo_tricks_refused_with_explanation(value: str) -> None:
    with pytest.raises(DataCenterError) as info:
        parse_dc(value)
    assert "'@'" in info.value.message
    assert dc_from_url(value) is None


@pytest.mark.parametrize("value", ["", "   ", "\n\t", "\u200b", "\ufeff \ufeff"])
def test_empty_input_asks_for_a_dc(value: str) -> None:
    with pytest.raises(DataCenterError) as info:
        parse_dc(value)
    assert info.value.message.startswith("Enter a data center")


@pytest.mark.parametrize("value", ["٥", "٠٥", "DC-٥", "dc٠١", "०५", "５"])
def test_non_ascii_digits_are_not_digits(value: str) -> None:
    with pytest.raises(DataCenterError) as info:
        parse_dc(value)
    assert "0–9" in info.value.message


def test_overly_long_input_refused_without_echo() -> None:
    value = "dashboard-01.moengage.com/" + "a" * 3000
    with pytest.raises(DataCenterError) as info:
        parse_dc(value)
    assert "too long" in info.value.message
    assert "aaaa" not in info.value.message
    assert dc_from_url(value) is None


def test_unprintable_input_is_not_echoed() -> None:
    with pytest.raises(DataCenterError) as info:
        parse_dc("x\x1b[2Jy")
    assert "\x1b" not in info.value.message


@pytest.mark.parametrize("value", ["hello", "DC", "DC-", "eu", "dc-05-x", "5 5"])
def test_words_refused(value: str) -> None:
    with pytest.raises(DataCenterError):
        parse_dc(value)


# --- dc_from_url --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://dashboard-02.moengage.com/v4/#/", "02"),
        ("dashboard-101.moengage.com", "101"),
        ("app-serv3.moengage.com", "03"),
        ("api-05.moengage.com", "05"),
        # A workspace ID or a DC number is not an address: the window must not
        # reinterpret what the user typed into the workspace field.
        ("5", None),
        ("DC-05", None),
        ("ABCDEF123", None),
        ("", None),
        ("dashboard-01.moengage.com.evil.example", None),
    ],
)
def test_dc_from_url(text: str, expected: str | None) -> None:
    assert dc_from_url(text) == expected


@given(st.text(max_size=300))
def test_dc_from_url_never_raises(text: str) -> None:
    result = dc_from_url(text)
    assert result is None or result in DC_CODES
    if result is not None:
        assert parse_dc(text) == result


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=120))
def test_dc_from_url_never_raises_on_url_like_ascii(text: str) -> None:
    for candidate in (text, "https://" + text, "dashboard-01.moengage.com" + text):
        result = dc_from_url(candidate)
        assert result is None or result in DC_CODES


# --- properties -----------------------------------------------------------------


def _random_case(draw: st.DrawFn, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.upper() if flip else c for c, flip in zip(text, flips, strict=True))


@st.composite
def dc_numbers(draw: st.DrawFn) -> tuple[str, str]:
    code = draw(st.sampled_from(DC_CODES))
    digits = code if code == "101" else draw(st.sampled_from([code, code.lstrip("0")]))
    prefix = draw(st.sampled_from(["", "dc", "DC", "Dc", "dc-", "DC-", "dc ", "DC_", "dc - "]))
    space = st.sampled_from(["", " ", "\t", "\n", "\r\n", "\u00a0", "\u200b", "\ufeff"])
    return draw(space) + prefix + digits + draw(space), code


@st.composite
def dc_addresses(draw: st.DrawFn) -> tuple[str, str]:
    host, code = draw(st.sampled_from(sorted(HOSTS.items())))
    host = _random_case(draw, host) + draw(st.sampled_from(["", "."]))
    scheme = draw(st.sampled_from(["", "https://", "http://", "HTTPS://", "//"]))
    port = draw(st.sampled_from(["", ":443", ":8443"]))
    tail_alphabet = st.characters(codec="ascii", categories=["L", "N"], include_characters="/-_=&")
    path = draw(st.sampled_from(["", "/", "/v4/"])) + draw(st.text(tail_alphabet, max_size=20))
    if path and not path.startswith("/"):
        path = "/" + path
    query = draw(st.sampled_from(["", "?a=1", "?u=dashboard-07.moengage.com"]))
    fragment = draw(st.sampled_from(["", "#", "#/campaigns?x=1"]))
    return scheme + host + port + path + query + fragment, code


@given(dc_numbers())
def test_generated_numbers_parse(case: tuple[str, str]) -> None:
    value, code = case
    assert parse_dc(value) == code


@given(dc_addresses())
def test_generated_addresses_parse(case: tuple[str, str]) -> None:
    value, code = case
    assert parse_dc(value) == code
    assert dc_from_url(value) == code


@st.composite
def look_alikes(draw: st.DrawFn) -> str:
    host = draw(st.sampled_from(sorted(HOSTS)))
    label = draw(st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True))
    form = draw(st.integers(0, 5))
    if form == 0:
        candidate = f"{host}.{label}"
    elif form == 1:
        candidate = f"{label}{host}"
    elif form == 2:
        candidate = f"{host}@{label}.example"
    elif form == 3:
        candidate = f"https://{label}.example/{host}"
    elif form == 4:
        candidate = f"https://{label}.example/?next=https://{host}/"
    else:
        candidate = f"{label}.{host}"
    assume(candidate.lower() not in HOSTS)
    return candidate


@given(look_alikes())
def test_generated_look_alikes_refused(value: str) -> None:
    with pytest.raises(DataCenterError):
        parse_dc(value)
    assert dc_from_url(value) is None


@given(st.one_of(dc_numbers().map(lambda c: c[0]), dc_addresses().map(lambda c: c[0]), st.text()))
def test_parse_dc_is_idempotent_and_only_raises_datacentererror(value: str) -> None:
    try:
        code = parse_dc(value)
    except DataCenterError as error:
        assert error.message
        return
    assert code in DC_CODES
    assert parse_dc(code) == code
    assert parse_dc(parse_dc(value)) == code
