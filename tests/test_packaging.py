"""Installers: fast checks that need no full freeze (``make package-test`` does that).

What a user would notice if these broke: a bundle with the GTK stack or a
dangling library inside, an installer without version or icon, a menu entry
that does not validate or does not group the window, blurry or wrong icons, a
.deb that installs on a system too old to run it, and a ``--self-test`` that
passes although the app cannot save keys.

The spec is executed here with PyInstaller's build classes replaced by
recorders (``Analysis`` cannot run without a full freeze); the Qt plugin and
library files it filters are the real ones from the installed PySide6.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import moecheck_gui
from moecheck_gui import APP_ID, APP_NAME, __version__

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))
sys.path.insert(0, str(PACKAGING / "linux"))

import build_deb  # noqa: E402 - packaging/linux is not a package
import make_icons  # noqa: E402

IN_KEYRING_SESSION = os.environ.get("MOECHECK_IN_KEYRING_SESSION") == "1"
linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the .deb is built on Linux (dpkg, symlinks, make)"
)


# --------------------------------------------------------------------- icons


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def icons(tmp_path_factory: pytest.TempPathFactory, qapp: Any) -> Path:
    """Every icon file, generated once from resources/moecheck.svg.

    Depends on ``qapp`` so the renderer reuses pytest-qt's QApplication instead
    of creating a bare QGuiApplication that later window tests could not use.
    """
    out = tmp_path_factory.mktemp("icons")
    make_icons.make_icons(ROOT / "resources" / "moecheck.svg", out)
    return out


def test_hicolor_pngs_have_every_size_and_the_svg(icons: Path) -> None:
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        png = icons / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert _png_size(png.read_bytes()) == (size, size)
    scalable = icons / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == (ROOT / "resources" / "moecheck.svg").read_bytes()


def test_ico_holds_every_windows_size_and_decodes_like_the_svg(icons: Path, qapp: Any) -> None:
    from PySide6.QtGui import QImage, QImageReader

    data = (icons / "moecheck.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, len(make_icons.ICO_SIZES))
    sizes = [data[6 + 16 * i] or 256 for i in range(count)]
    assert sizes == list(make_icons.ICO_SIZES)

    # Qt's own .ico reader decodes every entry (BMP and PNG ones) to the
    # picture the SVG renders: the BMP writer's byte order and mask are right.
    renderer = make_icons.Renderer(ROOT / "resources" / "moecheck.svg")
    for index, size in enumerate(make_icons.ICO_SIZES):
        reader = QImageReader(str(icons / "moecheck.ico"))
        assert reader.jumpToImage(index)
        image = reader.read().convertToFormat(QImage.Format.Format_ARGB32)
        assert (image.width(), image.height()) == (size, size)
        expected = renderer.image(size)
        for x, y in (
            (size // 2, size // 2),
            (size // 4, size // 2),
            (0, 0),
            (size // 5, size // 5),
        ):
            got, want = image.pixelColor(x, y), expected.pixelColor(x, y)
            assert want.alpha() == got.alpha()
            if want.alpha() == 255:
                assert (got.red(), got.green(), got.blue()) == (
                    want.red(),
                    want.green(),
                    want.blue(),
                )


def test_icns_has_retina_entries_as_pngs(icons: Path) -> None:
    data = (icons / "moecheck.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    found: dict[bytes, tuple[int, int]] = {}
    offset = 8
    while offset < len(data):
        ostype, length = (
            data[offset : offset + 4],
            struct.unpack(">I", data[offset + 4 : offset + 8])[0],
        )
        found[ostype] = _png_size(data[offset + 8 : offset + length])
        offset += length
    assert found[b"ic10"] == (1024, 1024)  # 512@2x, what Finder shows on Retina
    assert found[b"ic07"] == (128, 128)
    assert found[b"icp4"] == (16, 16)
    assert set(found) == {t for t, _ in make_icons.ICNS_TYPES}


def test_icon_script_reports_a_missing_svg(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = make_icons.main(["--svg", str(tmp_path / "nope.svg"), "--out", str(tmp_path / "out")])
    assert code == 1
    assert "nope.svg does not exist" in capsys.readouterr().err


# ---------------------------------------------------------------------- spec


class _Recorder:
    """Stands in for PyInstaller's build classes: records what the spec asks for."""

    def __init__(self, binaries: list[tuple[str, str, str]], datas: list[tuple[str, str, str]]):
        self.binaries = binaries
        self.datas = datas
        self.analyses: list[dict[str, Any]] = []
        self.exes: list[dict[str, Any]] = []
        self.collects: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self.bundles: list[dict[str, Any]] = []

    def namespace(self) -> dict[str, Any]:
        def analysis(scripts: list[str], **kwargs: Any) -> SimpleNamespace:
            self.analyses.append({"scripts": scripts, **kwargs})
            return SimpleNamespace(
                binaries=list(self.binaries), datas=list(self.datas), pure=[], scripts=scripts
            )

        def exe(*args: Any, **kwargs: Any) -> SimpleNamespace:
            self.exes.append(kwargs)
            return SimpleNamespace(name=kwargs["name"])

        def collect(*args: Any, **kwargs: Any) -> SimpleNamespace:
            self.collects.append((args, kwargs))
            return SimpleNamespace(name=kwargs["name"])

        def bundle(*args: Any, **kwargs: Any) -> SimpleNamespace:
            self.bundles.append(kwargs)
            return SimpleNamespace()

        return {
            "SPECPATH": str(PACKAGING),
            "Analysis": analysis,
            "PYZ": lambda pure: SimpleNamespace(),
            "EXE": exe,
            "COLLECT": collect,
            "BUNDLE": bundle,
            "__name__": "__main__",
        }


def _run_spec(recorder: _Recorder) -> dict[str, Any]:
    namespace = recorder.namespace()
    code = compile((PACKAGING / "moecheck.spec").read_text(), "moecheck.spec", "exec")
    exec(code, namespace)  # the spec is Python, run as PyInstaller runs it
    return namespace


def _qt_dir() -> Path:
    import PySide6

    return Path(PySide6.__file__).parent / "Qt"


def _host_library(name: str) -> str | None:
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
    match = re.search(rf"\s{re.escape(name)} \([^)]*x86-64[^)]*\) => (\S+)", out)
    return match.group(1) if match else None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux bundle layout")
def test_spec_slims_the_linux_bundle(capsys: pytest.CaptureFixture[str]) -> None:
    qt = _qt_dir()
    plugins = qt / "plugins"

    def plugin(rel: str) -> tuple[str, str, str]:
        return (f"PySide6/Qt/plugins/{rel}", str(plugins / rel), "BINARY")

    def qtlib(name: str) -> tuple[str, str, str]:
        return (f"PySide6/Qt/lib/{name}", str(qt / "lib" / name), "BINARY")

    binaries = [
        plugin("platforms/libqxcb.so"),
        plugin("platforms/libqoffscreen.so"),
        plugin("platforms/libqeglfs.so"),
        plugin("platformthemes/libqgtk3.so"),
        plugin("imageformats/libqsvg.so"),
        plugin("imageformats/libqjpeg.so"),
        plugin("iconengines/libqsvgicon.so"),
        qtlib("libQt6Gui.so.6"),
        qtlib("libQt6XcbQpa.so.6"),
        qtlib("libQt6Network.so.6"),  # nothing shipped loads it
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
        ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
    ]
    gtk = _host_library("libgtk-3.so.0")
    if gtk:
        binaries.append(("libgtk-3.so.0", gtk, "BINARY"))
    datas = [
        ("PySide6/Qt/translations/qtbase_de.qm", str(qt / "translations" / "qtbase_de.qm"), "DATA"),
        ("PySide6/QtCore.pyi", "x", "DATA"),
        ("resources/moecheck.svg", str(ROOT / "resources" / "moecheck.svg"), "DATA"),
    ]
    recorder = _Recorder(binaries, datas)
    namespace = _run_spec(recorder)

    shipped = {dest for dest, _src, _kind in namespace["a_gui"].binaries}
    kept_data = {dest for dest, _src, _kind in namespace["a_gui"].datas}
    # The desktop platforms, the self-test's offscreen platform and SVG stay...
    assert "PySide6/Qt/plugins/platforms/libqxcb.so" in shipped
    assert "PySide6/Qt/plugins/platforms/libqoffscreen.so" in shipped
    assert "PySide6/Qt/plugins/imageformats/libqsvg.so" in shipped
    assert "PySide6/Qt/plugins/iconengines/libqsvgicon.so" in shipped
    assert "PySide6/Qt/lib/libQt6Gui.so.6" in shipped
    assert "libQt6Gui.so.6" in shipped  # its symlink too
    # ...the GTK3 theme, its GTK stack, embedded platforms, unused formats and
    # unloaded Qt libraries (and links to them) go, and so do translations.
    assert "PySide6/Qt/plugins/platformthemes/libqgtk3.so" not in shipped
    assert "PySide6/Qt/plugins/platforms/libqeglfs.so" not in shipped
    assert "PySide6/Qt/plugins/imageformats/libqjpeg.so" not in shipped
    assert "PySide6/Qt/lib/libQt6Network.so.6" not in shipped
    assert "libQt6Network.so.6" not in shipped
    assert "libgtk-3.so.0" not in shipped
    assert kept_data == {"resources/moecheck.svg"}
    assert "moecheck-gui" in capsys.readouterr().out


def test_spec_builds_two_onedir_executables_in_one_folder(as_platform: Any) -> None:
    recorder = _Recorder([], [("resources/moecheck.svg", "x", "DATA")])
    as_platform("linux")
    _run_spec(recorder)
    scripts = sorted(Path(a["scripts"][0]).name for a in recorder.analyses)
    assert scripts == ["launch_cli.py", "launch_gui.py"]
    by_name = {e["name"]: e for e in recorder.exes}
    assert by_name["moecheck-gui"]["console"] is False
    assert by_name["moecheck"]["console"] is True
    for exe in recorder.exes:
        assert exe["upx"] is False
        assert exe["exclude_binaries"] is True  # onedir: libraries beside, not inside
        assert exe["strip"] is True
    ((args, kwargs),) = recorder.collects
    assert kwargs["name"] == "moecheck" and kwargs["upx"] is False
    assert {getattr(a, "name", None) for a in args} >= {"moecheck-gui", "moecheck"}
    for analysis in recorder.analyses:
        assert ("resources/moecheck.svg" in str(analysis["datas"])) or analysis["datas"]
        assert "PySide6.QtNetwork" in analysis["excludes"]
        assert "tkinter" in analysis["excludes"]


@pytest.fixture
def as_platform(monkeypatch: pytest.MonkeyPatch, icons: Path) -> Iterator[Any]:
    """Run the spec as it runs on another OS (it only branches on sys.platform)."""
    monkeypatch.setenv("MOECHECK_ICON_DIR", str(icons))

    def switch(name: str) -> None:
        monkeypatch.setattr(sys, "platform", name)

    yield switch


def test_spec_macos_bundle_has_id_version_icon_and_minimum_os(as_platform: Any) -> None:
    recorder = _Recorder([], [])
    as_platform("darwin")
    _run_spec(recorder)
    (bundle,) = recorder.bundles
    assert bundle["name"] == f"{APP_NAME}.app"
    assert bundle["bundle_identifier"] == APP_ID
    assert bundle["version"] == __version__
    assert bundle["icon"].endswith("moecheck.icns") and Path(bundle["icon"]).is_file()
    plist = bundle["info_plist"]
    assert plist["NSHighResolutionCapable"] is True
    assert plist["LSMinimumSystemVersion"] == "13.0"  # PySide6 6.11 wheels: macosx_13_0_universal2
    assert plist["LSBackgroundOnly"] is False
    assert plist["CFBundleShortVersionString"] == __version__
    assert plist["CFBundleExecutable"] == "moecheck-gui"
    for exe in recorder.exes:
        assert exe["entitlements_file"].endswith("entitlements.plist")
        assert Path(exe["entitlements_file"]).is_file()


def _fake_versioninfo() -> Any:
    """A recording stand-in for PyInstaller.utils.win32.versioninfo.

    The real module imports pywin32, which cannot run on Linux; the Windows leg
    of the release workflow builds the real resource.
    """

    class Part:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.args, self.kwargs = args, kwargs

        def __repr__(self) -> str:
            return f"{type(self).__name__}({self.args!r}, {self.kwargs!r})"

    names = (
        "VSVersionInfo",
        "FixedFileInfo",
        "StringFileInfo",
        "StringTable",
        "StringStruct",
        "VarFileInfo",
        "VarStruct",
    )
    module = SimpleNamespace(**{name: type(name, (Part,), {}) for name in names})
    return module


def test_spec_windows_executables_carry_version_info_and_icon(
    as_platform: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_versioninfo()
    try:
        import PyInstaller.utils.win32 as win32_pkg
    except ImportError:  # PyInstaller is a build tool, not a test dependency
        win32_pkg = SimpleNamespace()
        monkeypatch.setitem(sys.modules, "PyInstaller", SimpleNamespace())
        monkeypatch.setitem(sys.modules, "PyInstaller.utils", SimpleNamespace())
        monkeypatch.setitem(sys.modules, "PyInstaller.utils.win32", win32_pkg)
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.win32.versioninfo", fake)
    monkeypatch.setattr(win32_pkg, "versioninfo", fake, raising=False)
    recorder = _Recorder([], [])
    as_platform("win32")
    _run_spec(recorder)
    assert not recorder.bundles
    numeric = tuple(int(p) for p in __version__.split(".")) + (0,) * (
        4 - len(__version__.split("."))
    )
    for exe in recorder.exes:
        assert exe["icon"].endswith("moecheck.ico")
        assert exe["strip"] is False
        text = repr(exe["version"])
        assert f"'filevers': {numeric!r}" in text
        assert f"('ProductVersion', '{__version__}')" in text
        assert f"('OriginalFilename', '{exe['name']}.exe')" in text
        assert f"('ProductName', '{APP_NAME}')" in text


def test_spec_refuses_to_freeze_without_icons(
    as_platform: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MOECHECK_ICON_DIR", str(tmp_path))
    as_platform("win32")
    with pytest.raises(SystemExit, match=r"make_icons\.py"):
        _run_spec(_Recorder([], []))


# ------------------------------------------------------- installers, Windows/macOS


def test_inno_setup_script_is_per_user_with_icon_version_and_uninstaller() -> None:
    iss = (PACKAGING / "windows" / "moecheck.iss").read_text()
    assert re.search(r"^PrivilegesRequired=lowest$", iss, re.M)
    assert re.search(r"^OutputBaseFilename=\{#AppName\}-Setup-\{#AppVersion\}$", iss, re.M)
    assert re.search(r"^SetupIconFile=\{#IconFile\}$", iss, re.M)
    assert re.search(r"^UninstallDisplayIcon=\{app\}\\\{#GuiExe\}$", iss, re.M)
    assert re.search(r"^VersionInfoVersion=", iss, re.M)
    assert '#define GuiExe "moecheck-gui.exe"' in iss
    assert f'#define AppName "{APP_NAME}"' in iss
    assert re.search(r'^Name: "\{autoprograms\}\\\{#AppName\}"', iss, re.M)  # Start menu
    assert "#ifdef SignTool" in iss


def test_dmg_settings_put_the_app_next_to_an_applications_link() -> None:
    settings: dict[str, Any] = {"defines": {"app": "dist/MoeCheck.app", "icon": "x.icns"}}
    exec((PACKAGING / "macos" / "dmg_settings.py").read_text(), settings)
    assert settings["files"] == ["dist/MoeCheck.app"]
    assert settings["symlinks"] == {"Applications": "/Applications"}
    assert set(settings["icon_locations"]) == {"MoeCheck.app", "Applications"}


# ------------------------------------------------------------------ Linux .deb


def _fake_bundle(root: Path) -> Path:
    bundle = root / "moecheck"
    (bundle / "_internal").mkdir(parents=True)
    for name in build_deb.EXECUTABLES:
        (bundle / name).write_text("#!/bin/sh\n")
        (bundle / name).chmod(0o755)
    from moecheck_gui.i18n import TRANSLATED_LANGUAGES

    for language in TRANSLATED_LANGUAGES:  # a real bundle carries every catalogue
        catalogue = bundle / "_internal/moecheck_gui/locale" / language / "LC_MESSAGES"
        catalogue.mkdir(parents=True)
        (catalogue / "moecheck.mo").write_bytes(b"")
    return bundle


@linux_only
def test_stage_refuses_a_bundle_without_catalogues(tmp_path: Path, icons: Path) -> None:
    bundle = _fake_bundle(tmp_path)
    (bundle / "_internal/moecheck_gui/locale/ja/LC_MESSAGES/moecheck.mo").unlink()
    with pytest.raises(build_deb.BuildError, match="ja catalogue"):
        build_deb.stage(bundle, icons, tmp_path / "root")


@linux_only
def test_staged_desktop_entry_and_metainfo_validate(tmp_path: Path, icons: Path) -> None:
    root = tmp_path / "root"
    build_deb.stage(_fake_bundle(tmp_path), icons, root)
    desktop = root / "usr/share/applications" / f"{APP_ID}.desktop"
    metainfo = root / "usr/share/metainfo" / f"{APP_ID}.metainfo.xml"
    text = desktop.read_text()
    # Qt's xcb plugin sets WM_CLASS to (program, applicationName()) = (..., APP_NAME).
    assert text.count("StartupWMClass=") == 1 and f"StartupWMClass={APP_NAME}\n" in text
    assert f'<release version="{__version__}"' in metainfo.read_text()
    assert os.readlink(root / "usr/bin/moecheck-gui") == "../../opt/moecheck/moecheck-gui"
    assert (root / "opt/moecheck/moecheck-gui").resolve() == (
        root / "usr/bin/moecheck-gui"
    ).resolve()
    assert (root / "usr/share/icons/hicolor/512x512/apps" / f"{APP_ID}.png").is_file()
    if shutil.which("desktop-file-validate") is None or shutil.which("appstreamcli") is None:
        pytest.skip("desktop-file-utils / appstream not installed (make package-deps)")
    result = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(metainfo)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_metainfo_gets_a_release_entry_for_a_new_version() -> None:
    source = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"
    text = build_deb._metainfo(source, "9.8.7")
    assert re.search(r'<release version="9\.8\.7" date="\d{4}-\d\d-\d\d"/>', text)
    assert text.index('version="9.8.7"') < text.index(f'version="{__version__}"')


@linux_only
@pytest.mark.skipif(shutil.which("readelf") is None, reason="binutils not installed")
def test_glibc_floor_is_measured_and_not_above_this_system() -> None:
    floor = build_deb.glibc_floor([Path(sys.executable).resolve()])
    assert re.fullmatch(r"2\.\d+", floor)
    system = subprocess.run(["ldd", "--version"], capture_output=True, text=True).stdout
    here = re.search(r"(\d+\.\d+)\s*$", system.splitlines()[0])
    assert here is not None
    assert build_deb._version_key(floor) <= build_deb._version_key(here.group(1))


@linux_only
@pytest.mark.skipif(
    shutil.which("dpkg") is None
    or shutil.which("readelf") is None
    or shutil.which("xprop") is None,
    reason="needs dpkg, binutils and xprop (x11-utils) from Debian",
)
def test_depends_name_the_packages_of_libraries_the_bundle_does_not_carry(tmp_path: Path) -> None:
    bundle = _fake_bundle(tmp_path)
    shutil.copy(shutil.which("xprop") or "", bundle / "_internal" / "xprop")
    files = build_deb.elf_files(bundle)
    packages, mapping = build_deb.system_depends(bundle, files)
    assert mapping["libX11.so.6"] == "libx11-6"
    assert "libc.so.6" not in mapping  # expressed as libc6 (>= floor) instead
    for qt_needs in ("libxcb-cursor0", "libxkbcommon-x11-0", "libegl1", "libgl1"):
        assert qt_needs in packages
    # Carried in the bundle -> not a dependency.
    x11 = _host_library("libX11.so.6")
    assert x11 is not None
    shutil.copy(x11, bundle / "_internal" / "libX11.so.6")
    packages, mapping = build_deb.system_depends(bundle, build_deb.elf_files(bundle))
    assert "libX11.so.6" not in mapping


@linux_only
def test_package_makefile_names_the_artifacts() -> None:
    result = subprocess.run(
        ["make", "-n", "-f", "Makefile", "-f", "packaging/package.mk", "package", "package-test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "MAKEFLAGS": ""},
    )
    assert result.returncode == 0, result.stderr
    assert "packaging/moecheck.spec" in result.stdout
    assert f"packaging/linux/package_test.sh dist/moecheck_{__version__}_amd64.deb" in result.stdout


# ------------------------------------------------------------------ self-test


@pytest.fixture
def self_test_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HOME so the self-test provably leaves the user's settings alone."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    return home


@pytest.mark.skipif(not IN_KEYRING_SESSION, reason="needs scripts/with-keyring (Secret Service)")
def test_self_test_passes_in_process_and_writes_a_report(
    qapp: Any, tmp_path: Path, self_test_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from moecheck_gui.gui.selftest import run_self_test
    from moecheck_gui.sandbox import DEMO_WORKSPACES

    report = tmp_path / "report.txt"
    code = run_self_test(["--self-test", "--report", str(report)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out == report.read_text()
    steps = ("window", "resources", "keychain", "trust roots", "check", "PAC engine")
    for step in (*steps, "check-all process"):
        assert f"[ok]   {step}:" in out
    assert "GNOME Keyring / Secret Service" in out
    assert '"MoeCheck Demo (US)"' in out
    assert "2 workspaces checked in a child process, through its PAC engine" in out
    assert "passed: 7/7" in out
    assert not any(w.api_key in out for w in DEMO_WORKSPACES)
    assert not any(self_test_home.rglob("*.ini")), "the self-test wrote settings"


def test_self_test_fails_when_keyring_has_no_real_backend(
    qapp: Any, self_test_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import keyring
    import keyring.backends.fail

    from moecheck_gui.gui.selftest import run_self_test

    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        code = run_self_test(["--self-test"])
    finally:
        keyring.set_keyring(previous)
    out = capsys.readouterr().out
    assert code == 1
    assert "[FAIL] keychain: No secure keychain (keyring.backends.fail.Keyring)" in out
    assert "[ok]   check:" in out  # the other steps still ran and are reported
    assert "Self-test FAILED: 6/7" in out


def test_self_test_fails_when_the_icon_is_not_shipped(
    qapp: Any,
    self_test_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from moecheck_gui.gui import selftest, theme

    monkeypatch.setattr(theme, "resource_dirs", lambda: [tmp_path / "empty"])
    code = selftest.run_self_test(["--self-test"])
    out = capsys.readouterr().out
    assert code == 1
    assert "[FAIL] resources: resources/moecheck.svg not found" in out


def test_self_test_rejects_unknown_options_with_usage_exit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from moecheck_gui.gui.selftest import run_self_test

    assert run_self_test(["--self-test", "--timeout", "soon"]) == 2
    assert "invalid float value" in capsys.readouterr().err


def test_frozen_launcher_dispatches_self_test(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from moecheck_gui.gui import selftest

    calls: list[list[str]] = []
    monkeypatch.setattr(selftest, "run_self_test", lambda argv: calls.append(list(argv)) or 7)
    monkeypatch.setattr(sys, "argv", ["moecheck-gui", "--self-test", "--report", "r.txt"])
    launcher = importlib.import_module("launch_gui")
    assert launcher.main() == 7
    assert calls == [["--self-test", "--report", "r.txt"]]
    assert moecheck_gui.__version__ == __version__
