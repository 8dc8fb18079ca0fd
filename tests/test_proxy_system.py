"""The OS proxy readers: Windows and macOS through recorded values, GNOME through real gsettings.

Windows (registry) and macOS (``scutil --proxy``) cannot run here, so their
pure parsing functions are fed values recorded on those systems; the thin
reading functions are first run on those systems (docs/proxies.md says so).
GNOME's reader runs the real ``gsettings`` against a private dconf database
in a private D-Bus session, so the developer's own setting is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from moecheck_gui.proxy import SystemProxy, system_gnome, system_macos, system_windows, wpad

# ----------------------------------------------------------------------------- Windows


def connection_blob(flags: int) -> bytes:
    """A DefaultConnectionSettings value as Windows writes it: version, counter, flags, ..."""
    return (
        (0x46).to_bytes(4, "little")
        + (7).to_bytes(4, "little")
        + flags.to_bytes(4, "little")
        + bytes(20)
    )


def test_windows_manual_proxy_for_all_protocols() -> None:
    values = {
        "ProxyEnable": 1,
        "ProxyServer": "proxy.corp:8080",
        "ProxyOverride": "*.corp.example;10.*;<local>",
    }
    assert system_windows.parse_settings(values, None) == SystemProxy(
        platform="Windows",
        https_proxy="proxy.corp:8080",
        http_proxy="proxy.corp:8080",
        bypass=("*.corp.example", "10.*"),
        bypass_simple_hosts=True,
    )


def test_windows_per_protocol_proxy() -> None:
    values = {"ProxyEnable": 1, "ProxyServer": "http=web.corp:80;https=tls.corp:8443;socks=s:1"}
    setting = system_windows.parse_settings(values, None)
    assert (setting.https_proxy, setting.http_proxy) == ("tls.corp:8443", "web.corp:80")
    only_http = system_windows.parse_settings(
        {"ProxyEnable": 1, "ProxyServer": "http=web.corp:80"}, None
    )
    assert only_http.https_proxy is None


def test_windows_proxy_switched_off_keeps_nothing() -> None:
    values = {"ProxyEnable": 0, "ProxyServer": "stale.corp:8080", "ProxyOverride": "<local>"}
    assert system_windows.parse_settings(values, None).is_empty


def test_windows_pac_and_auto_detect_come_from_the_connection_flags() -> None:
    values = {"ProxyEnable": 0, "AutoConfigURL": "http://pac.corp/proxy.pac"}
    both = system_windows.parse_settings(values, connection_blob(0x01 | 0x04 | 0x08))
    assert both.pac_url == "http://pac.corp/proxy.pac"
    assert both.auto_detect
    script_off = system_windows.parse_settings(values, connection_blob(0x01 | 0x08))
    assert script_off.pac_url is None
    assert script_off.auto_detect
    assert system_windows.parse_settings(values, None).pac_url == "http://pac.corp/proxy.pac"
    assert not system_windows.parse_settings({}, connection_blob(0x01)).auto_detect


def test_windows_connection_flags_offset() -> None:
    assert system_windows.connection_flags(connection_blob(0x0B)) == 0x0B
    assert system_windows.connection_flags(b"\x46\x00") is None


# ----------------------------------------------------------------------------- macOS

SCUTIL_MANUAL = """<dictionary> {
  ExceptionsList : <array> {
    0 : *.local
    1 : 169.254/16
    2 : corp.example
  }
  ExcludeSimpleHostnames : 1
  FTPPassive : 1
  HTTPEnable : 1
  HTTPPort : 8080
  HTTPProxy : web.corp.example
  HTTPSEnable : 1
  HTTPSPort : 3128
  HTTPSProxy : tls.corp.example
  ProxyAutoConfigEnable : 0
  ProxyAutoDiscoveryEnable : 0
  __SCOPED__ : <dictionary> {
    en0 : <dictionary> {
      ExceptionsList : <array> {
        0 : *.local
      }
      HTTPSEnable : 1
      HTTPSPort : 3128
      HTTPSProxy : tls.corp.example
    }
  }
}
"""

SCUTIL_PAC = """<dictionary> {
  ExceptionsList : <array> {
    0 : *.local
    1 : 169.254/16
  }
  FTPPassive : 1
  HTTPEnable : 0
  HTTPSEnable : 0
  ProxyAutoConfigEnable : 1
  ProxyAutoConfigURLString : http://wpad.corp.example/proxy.pac
  ProxyAutoDiscoveryEnable : 1
}
"""

SCUTIL_NONE = """<dictionary> {
  ExceptionsList : <array> {
    0 : *.local
    1 : 169.254/16
  }
  FTPPassive : 1
  HTTPEnable : 0
  HTTPSEnable : 0
}
"""


def test_macos_manual_proxy() -> None:
    assert system_macos.settings_from_output(SCUTIL_MANUAL) == SystemProxy(
        platform="macOS",
        https_proxy="tls.corp.example:3128",
        http_proxy="web.corp.example:8080",
        bypass=("*.local", "169.254/16", "corp.example"),
        bypass_simple_hosts=True,
    )


def test_macos_pac_and_auto_discovery() -> None:
    setting = system_macos.settings_from_output(SCUTIL_PAC)
    assert setting.pac_url == "http://wpad.corp.example/proxy.pac"
    assert setting.auto_detect
    assert setting.https_proxy is None


def test_macos_no_proxy() -> None:
    assert system_macos.settings_from_output(SCUTIL_NONE).is_empty


def test_macos_https_enabled_without_host_is_no_proxy() -> None:
    output = "<dictionary> {\n  HTTPSEnable : 1\n  HTTPSPort : 0\n}\n"
    assert system_macos.settings_from_output(output).https_proxy is None


def test_macos_garbage_is_refused() -> None:
    with pytest.raises(ValueError):
        system_macos.settings_from_output("scutil: command not found")


# ----------------------------------------------------------------------------- GNOME

GSETTINGS_MANUAL = """org.gnome.system.proxy autoconfig-url ''
org.gnome.system.proxy ignore-hosts ['localhost', '127.0.0.0/8', '::1', '*.intra']
org.gnome.system.proxy mode 'manual'
org.gnome.system.proxy use-same-proxy false
org.gnome.system.proxy.http host 'web.corp'
org.gnome.system.proxy.http port 8080
org.gnome.system.proxy.https host 'tls.corp'
org.gnome.system.proxy.https port 3128
org.gnome.system.proxy.socks host ''
org.gnome.system.proxy.socks port 0
"""


def test_gnome_listing_parse() -> None:
    setting = system_gnome.settings_from_listing(system_gnome.parse_listing(GSETTINGS_MANUAL))
    assert setting == SystemProxy(
        platform="GNOME",
        https_proxy="tls.corp:3128",
        http_proxy="web.corp:8080",
        bypass=("localhost", "127.0.0.0/8", "::1", "*.intra"),
    )


def test_gnome_gvariant_forms() -> None:
    assert system_gnome.parse_gvariant("'it\\'s'") == "it's"
    assert system_gnome.parse_gvariant('["a", "it\'s"]') == ["a", "it's"]
    assert system_gnome.parse_gvariant("@as []") == []
    assert system_gnome.parse_gvariant("uint32 3128") == 3128
    assert system_gnome.parse_gvariant("true") is True


@pytest.fixture
def private_gsettings(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An environment whose gsettings talks to a private dconf in a private D-Bus session."""
    for tool in ("gsettings", "dbus-daemon"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (make system-deps installs it)")
    config = tmp_path / "config"
    runtime = tmp_path / "runtime"
    config.mkdir()
    runtime.mkdir(mode=0o700)
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(config),
        "XDG_RUNTIME_DIR": str(runtime),
    }
    daemon = subprocess.Popen(
        [
            "dbus-daemon",
            "--session",
            "--nofork",
            "--print-address=1",
            f"--address=unix:path={tmp_path / 'bus'}",
        ],
        env=base,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()
        assert address.startswith("unix:"), "the private D-Bus session did not start"
        env = dict(base, DBUS_SESSION_BUS_ADDRESS=address, GSETTINGS_BACKEND="dconf")
        yield env
    finally:
        daemon.terminate()
        daemon.wait(5)


def gsettings_set(env: dict[str, str], schema: str, key: str, value: str) -> None:
    subprocess.run(["gsettings", "set", schema, key, value], env=env, check=True, timeout=20)


def test_gnome_reader_with_real_gsettings(private_gsettings: dict[str, str]) -> None:
    env = private_gsettings
    assert system_gnome.read(env=env) == SystemProxy(platform="GNOME")
    gsettings_set(env, "org.gnome.system.proxy", "mode", "manual")
    gsettings_set(env, "org.gnome.system.proxy.https", "host", "tls.corp.example")
    gsettings_set(env, "org.gnome.system.proxy.https", "port", "3128")
    gsettings_set(env, "org.gnome.system.proxy", "ignore-hosts", "['localhost', '*.intra']")
    setting = system_gnome.read(env=env)
    assert setting is not None
    assert setting.https_proxy == "tls.corp.example:3128"
    assert setting.bypass == ("localhost", "*.intra")
    gsettings_set(env, "org.gnome.system.proxy", "mode", "auto")
    gsettings_set(env, "org.gnome.system.proxy", "autoconfig-url", "http://pac.corp/p.pac")
    auto = system_gnome.read(env=env)
    assert auto == SystemProxy(platform="GNOME", pac_url="http://pac.corp/p.pac")
    gsettings_set(env, "org.gnome.system.proxy", "autoconfig-url", "")
    assert system_gnome.read(env=env) == SystemProxy(platform="GNOME", auto_detect=True)


def test_gnome_reader_without_gsettings(tmp_path: Path) -> None:
    assert system_gnome.read(env={"PATH": str(tmp_path)}) is None


# ----------------------------------------------------------------------------- WPAD


def test_wpad_candidates_stay_inside_the_organisation() -> None:
    assert wpad.candidate_urls("pc7.office.corp.example.co.uk") == [
        "http://wpad.office.corp.example.co.uk/wpad.dat",
        "http://wpad.corp.example.co.uk/wpad.dat",
        "http://wpad.example.co.uk/wpad.dat",
    ]
    assert wpad.candidate_urls("laptop") == []
