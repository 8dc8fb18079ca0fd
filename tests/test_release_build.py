"""The release build's Windows and macOS decisions, checked on this machine.

The Windows and macOS installers are only built by the release workflow on
GitHub's runners, so a mistake there shows up at the first tagged release. The
rules those builds follow live in ``packaging/build_rules.py`` (imported by
``packaging/moecheck.spec``) and are exercised here: symbolic links in a
made-up macOS framework built with real links, the version numbers Windows
accepts, where Inno Setup's compiler is found, what each platform excludes,
the Info.plist PyInstaller's own BUNDLE code writes, the dmgbuild settings
against dmgbuild's own option names, and the workflow's runners.

What cannot run here (codesign, lipo, ISCC, the runners) is recorded in
docs/packaging.md with what to look for in the first tagged run's logs.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import plistlib
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
import yaml

import moecheck_gui

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
sys.path.insert(0, str(PACKAGING))

import build_rules  # noqa: E402 - packaging/ is not a package

PLATFORMS = ("linux", "darwin", "win32")


# ------------------------------------------------------------ running the spec


class _Recorder:
    """Stands in for PyInstaller's build classes (Analysis needs a full freeze)."""

    def __init__(self, binaries: list[tuple[str, str, str]], datas: list[tuple[str, str, str]]):
        self.binaries, self.datas = binaries, datas
        self.analyses: list[dict[str, Any]] = []
        self.exes: list[dict[str, Any]] = []
        self.collect_args: tuple[Any, ...] = ()
        self.bundles: list[dict[str, Any]] = []
        self.result: dict[str, Any] = {}

    def namespace(self) -> dict[str, Any]:
        def analysis(scripts: list[str], **kwargs: Any) -> SimpleNamespace:
            self.analyses.append({"scripts": scripts, **kwargs})
            return SimpleNamespace(
                binaries=list(self.binaries), datas=list(self.datas), pure=[], scripts=scripts
            )

        def exe(*args: Any, **kwargs: Any) -> SimpleNamespace:
            self.exes.append(kwargs)
            return SimpleNamespace(**kwargs)

        def collect(*args: Any, **kwargs: Any) -> SimpleNamespace:
            self.collect_args = args
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

    def run(self) -> None:
        self.result = self.namespace()
        code = compile((PACKAGING / "moecheck.spec").read_text(), "moecheck.spec", "exec")
        exec(code, self.result)  # the spec is Python, run as PyInstaller runs it


def _fake_versioninfo() -> Any:
    """Recording stand-in for PyInstaller.utils.win32.versioninfo.

    The real module needs pefile and builds a Windows resource; the Windows leg
    of the release workflow builds the real one.
    """

    class Part:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.args, self.kwargs = args, kwargs

        def __repr__(self) -> str:
            return f"{type(self).__name__}({self.args!r}, {self.kwargs!r})"

    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable")
    names += ("StringStruct", "VarFileInfo", "VarStruct")
    return SimpleNamespace(**{name: type(name, (Part,), {}) for name in names})


@pytest.fixture
def spec_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """Run the spec as it runs on another OS (it branches on sys.platform only)."""
    icons = tmp_path / "icons"
    icons.mkdir()
    (icons / "moecheck.ico").write_bytes(b"\0\0\1\0")
    (icons / "moecheck.icns").write_bytes(b"icns")
    monkeypatch.setenv("MOECHECK_ICON_DIR", str(icons))
    monkeypatch.delenv("MOECHECK_TARGET_ARCH", raising=False)
    fake = _fake_versioninfo()
    win32_pkg: Any
    try:
        import PyInstaller.utils.win32 as win32_pkg  # the real package, when installed
    except ImportError:  # a build tool, not a test dependency
        win32_pkg = SimpleNamespace()
        monkeypatch.setitem(sys.modules, "PyInstaller", SimpleNamespace())
        monkeypatch.setitem(sys.modules, "PyInstaller.utils", SimpleNamespace(win32=win32_pkg))
        monkeypatch.setitem(sys.modules, "PyInstaller.utils.win32", win32_pkg)
    monkeypatch.setattr(win32_pkg, "versioninfo", fake, raising=False)
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.win32.versioninfo", fake)

    def run(platform: str, binaries: Any = (), datas: Any = ()) -> _Recorder:
        monkeypatch.setattr(sys, "platform", platform)
        recorder = _Recorder(list(binaries), list(datas))
        recorder.run()
        return recorder

    yield run


# ------------------------------------------------- 3. framework links survive


def _make_framework(root: Path, name: str) -> None:
    """A Qt framework as PyInstaller lays it out (osxutils.collect_files_from_framework_bundles)."""
    fw = root / "PySide6" / "Qt" / "lib" / f"{name}.framework"
    (fw / "Versions" / "A" / "Resources").mkdir(parents=True)
    (fw / "Versions" / "A" / name).write_bytes(b"\xcf\xfa\xed\xfe" + name.encode())
    (fw / "Versions" / "A" / "Resources" / "Info.plist").write_text(f"<plist>{name}</plist>")
    (fw / "Versions" / "Current").symlink_to("A")
    (fw / name).symlink_to(f"Versions/Current/{name}")
    (fw / "Resources").symlink_to("Versions/Current/Resources")
    # bindepend's link from the top-level folder to the collected library.
    (root / name).symlink_to(f"PySide6/Qt/lib/{name}.framework/Versions/A/{name}")


@pytest.fixture
def framework_tree(tmp_path: Path) -> Path:
    """Two real frameworks, a plain library link, and links that must never survive."""
    root = tmp_path / "collected"
    root.mkdir()
    _make_framework(root, "QtCore")
    _make_framework(root, "QtNetwork")  # slimming drops its library below
    lib = root / "PySide6" / "Qt" / "lib"
    (lib / "libshiboken6.abi3.6.11.dylib").write_bytes(b"\xcf\xfa\xed\xfe")
    (root / "libshiboken6.abi3.6.11.dylib").symlink_to(
        "PySide6/Qt/lib/libshiboken6.abi3.6.11.dylib"
    )
    (root / "cycle").symlink_to("cycle")
    (root / "escapes").symlink_to("../../outside")
    (root / "absolute").symlink_to("/usr/lib/libz.dylib")
    return root


def _toc(root: Path) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """The (binaries, datas) TOC PyInstaller would hold for the tree: links as SYMLINK entries."""
    binaries, datas = [], []
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            dest = path.relative_to(root).as_posix()
            if path.is_symlink():
                datas.append((dest, os.readlink(path), "SYMLINK"))
            elif path.is_file():
                kind = "DATA" if name.endswith(".plist") else "BINARY"
                (datas if kind == "DATA" else binaries).append((dest, str(path), kind))
    return binaries, datas


def _materialise(entries: list[tuple[str, str, str]], out: Path) -> None:
    """Lay the TOC out as COLLECT does: copy files, create links verbatim."""
    for dest, src, kind in entries:
        target = out / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if kind == "SYMLINK":
            target.symlink_to(src)
        else:
            target.write_bytes(Path(src).read_bytes())


def _links(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): os.readlink(p) for p in root.rglob("*") if p.is_symlink()
    }


FRAMEWORK_LINKS = {
    "QtCore": "PySide6/Qt/lib/QtCore.framework/Versions/A/QtCore",
    "PySide6/Qt/lib/QtCore.framework/Versions/Current": "A",
    "PySide6/Qt/lib/QtCore.framework/QtCore": "Versions/Current/QtCore",
    "PySide6/Qt/lib/QtCore.framework/Resources": "Versions/Current/Resources",
    "libshiboken6.abi3.6.11.dylib": "PySide6/Qt/lib/libshiboken6.abi3.6.11.dylib",
}


def test_made_up_framework_is_valid_before_slimming(framework_tree: Path) -> None:
    """The tree the filter is tested on really resolves, link through link."""
    fw = framework_tree / "PySide6/Qt/lib/QtCore.framework"
    assert (fw / "QtCore").read_bytes().endswith(b"QtCore")
    assert (fw / "Resources" / "Info.plist").is_file()
    assert (framework_tree / "QtNetwork").is_file()
    assert not os.path.exists(framework_tree / "cycle")


def test_link_filter_keeps_framework_links_and_drops_dangling_ones(
    framework_tree: Path, tmp_path: Path
) -> None:
    binaries, datas = _toc(framework_tree)
    # Slimming dropped QtNetwork's library (as the spec drops unloaded Qt libraries).
    binaries = [e for e in binaries if not e[0].endswith("Versions/A/QtNetwork")]
    kept_binaries, kept_datas = build_rules.drop_dangling_links(binaries, datas)
    assert kept_binaries == binaries  # files are never touched
    out = tmp_path / "bundle"
    _materialise(kept_binaries + kept_datas, out)
    links = _links(out)
    assert FRAMEWORK_LINKS.items() <= links.items()
    # QtNetwork's framework keeps its Resources folder (Info.plist is shipped),
    # but every link that led to the dropped library is gone.
    assert "PySide6/Qt/lib/QtNetwork.framework/Resources" in links
    assert "PySide6/Qt/lib/QtNetwork.framework/Versions/Current" in links
    for gone in ("QtNetwork", "PySide6/Qt/lib/QtNetwork.framework/QtNetwork"):
        assert gone not in links
    assert not {"cycle", "escapes", "absolute"} & set(links)
    for link in links:
        assert os.path.exists(out / link), f"{link} dangles in the bundle"
    fw = out / "PySide6/Qt/lib/QtCore.framework"
    assert (fw / "QtCore").read_bytes().endswith(b"QtCore")
    assert (fw / "Resources" / "Info.plist").read_text() == "<plist>QtCore</plist>"


def test_link_filter_accepts_windows_separators() -> None:
    binaries = [("PySide6\\Qt6Core.dll", "C:\\x\\Qt6Core.dll", "BINARY")]
    datas = [("Qt6Core.dll", "PySide6\\Qt6Core.dll", "SYMLINK")]
    assert build_rules.drop_dangling_links(binaries, datas) == (binaries, datas)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_spec_slimming_leaves_no_dangling_link_and_keeps_frameworks(
    platform: str, spec_on: Any, framework_tree: Path, tmp_path: Path
) -> None:
    """Each platform branch of the spec's slim(): what it ships lays out without a broken link."""
    binaries, datas = _toc(framework_tree)
    recorder = spec_on(platform, binaries, datas)
    analysis = recorder.result["a_gui"]
    out = tmp_path / f"bundle-{platform}"
    _materialise(analysis.binaries + analysis.datas, out)
    links = _links(out)
    for link in links:
        assert os.path.exists(out / link), f"{platform}: {link} dangles"
    if platform != "linux":
        # Nothing is pruned by ldd there: the frameworks ship whole, with their links.
        assert FRAMEWORK_LINKS.items() <= links.items()
        assert "PySide6/Qt/lib/QtNetwork.framework/QtNetwork" in links
    assert not {"cycle", "escapes", "absolute"} & set(links)


# ------------------------------------------------ 4. the app is not background-only


def test_info_plist_is_a_foreground_app_from_macos_13() -> None:
    plist = build_rules.info_plist("0.2.0rc1", "MoeCheck")
    assert plist["LSBackgroundOnly"] is False
    assert plist["LSMinimumSystemVersion"] == build_rules.MACOS_MINIMUM == "13.0"
    assert plist["CFBundleExecutable"] == "moecheck-gui"
    assert plist["CFBundleShortVersionString"] == plist["CFBundleVersion"] == "0.2.0"


def test_pyinstaller_bundle_writes_lsbackgroundonly_false(
    spec_on: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """PyInstaller's own BUNDLE code writes the Info.plist from the spec's arguments.

    BUNDLE inherits ``console`` from the COLLECT, i.e. from the last executable
    (``moecheck``, console=True), and then defaults LSBackgroundOnly to True.
    Given a plain TOC, BUNDLE keeps its own default ``console = True``: the same
    situation. Only codesign is missing here (BUNDLE logs a warning and goes on).
    """
    pytest.importorskip("PyInstaller", reason="build tool (packaging/requirements-build.txt)")
    import PyInstaller.building.osx as osx
    from PyInstaller.config import CONF

    recorder = spec_on("darwin")
    assert recorder.collect_args[-3].console is True, "premise: COLLECT ends with a console exe"
    (kwargs,) = recorder.bundles

    exe = tmp_path / "moecheck-gui"
    exe.write_bytes(b"\xcf\xfa\xed\xfe")
    work = tmp_path / "work"
    work.mkdir()
    for key, value in {
        "distpath": str(tmp_path / "dist"),
        "workpath": str(work),
        "specpath": str(PACKAGING),
        "spec": str(PACKAGING / "moecheck.spec"),
        "code_cache": {},
    }.items():
        monkeypatch.setitem(CONF, key, value)
    monkeypatch.setattr(osx, "is_darwin", True)
    osx.BUNDLE([("moecheck-gui", str(exe), "EXECUTABLE")], **kwargs)

    with open(tmp_path / "dist" / "MoeCheck.app" / "Contents" / "Info.plist", "rb") as fh:
        plist = plistlib.load(fh)
    assert plist["LSBackgroundOnly"] is False
    assert plist["CFBundleExecutable"] == "moecheck-gui"
    assert plist["CFBundleIdentifier"] == moecheck_gui.APP_ID
    assert plist["LSMinimumSystemVersion"] == build_rules.MACOS_MINIMUM
    assert plist["NSHighResolutionCapable"] is True
    assert plist["CFBundleShortVersionString"] == build_rules.macos_version(
        moecheck_gui.__version__
    )


def test_spec_builds_universal2_unless_told_otherwise(
    spec_on: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = spec_on("darwin")
    assert {exe["target_arch"] for exe in recorder.exes} == {"universal2"}
    monkeypatch.setenv("MOECHECK_TARGET_ARCH", "arm64")
    recorder = spec_on("darwin")
    assert {exe["target_arch"] for exe in recorder.exes} == {"arm64"}
    assert {exe["target_arch"] for exe in spec_on("win32").exes} == {None}


# ------------------------------------------------------ 5. dmgbuild's settings


def _dmgbuild_option_names() -> set[str]:
    """The settings dmgbuild reads: the keys of build_dmg's defaults, from its source.

    dmgbuild cannot be imported off macOS (it asks for the macOS version at
    import), so its source is read instead of run.
    """
    spec = importlib.util.find_spec("dmgbuild")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("dmgbuild not installed (pip install -r packaging/requirements-build.txt)")
    source = Path(next(iter(spec.submodule_search_locations)), "core.py").read_text()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Assign)
            and [getattr(t, "id", None) for t in node.targets] == ["options"]
            and isinstance(node.value, ast.Dict)
        ):
            return {k.value for k in node.value.keys if isinstance(k, ast.Constant)}
    raise AssertionError("dmgbuild.core has no `options = {...}` defaults any more")


def test_dmg_settings_use_only_names_dmgbuild_knows() -> None:
    known = _dmgbuild_option_names()
    assert {"hide_extensions", "files", "symlinks", "icon_locations"} <= known
    settings: dict[str, Any] = {"defines": {"app": "dist/MoeCheck.app", "icon": "x.icns"}}
    exec((PACKAGING / "macos" / "dmg_settings.py").read_text(), settings)
    helpers = {"defines", "__builtins__", "__doc__", "os", "application", "appname"}
    unknown = set(settings) - known - helpers
    assert not unknown, f"dmgbuild ignores these settings: {sorted(unknown)}"
    assert settings["hide_extensions"] == ["MoeCheck.app"]


# ---------------------------------------- 6. versions, Inno Setup, excludes


@pytest.mark.parametrize(
    ("version", "numbers"),
    [
        ("0.2.0", (0, 2, 0, 0)),
        ("0.2.0rc1", (0, 2, 0, 0)),
        ("0.2.0.dev3", (0, 2, 0, 0)),
        ("1.0.0b2", (1, 0, 0, 0)),
        ("0.2.0.post1", (0, 2, 0, 1)),
        ("1.2", (1, 2, 0, 0)),
        ("1.2.3.4", (1, 2, 3, 4)),
        ("0.2.0+local.7", (0, 2, 0, 0)),
    ],
)
def test_windows_version_has_four_numbers(version: str, numbers: tuple[int, ...]) -> None:
    assert build_rules.windows_version(version) == numbers
    assert build_rules.windows_version_string(version) == ".".join(map(str, numbers))


@pytest.mark.parametrize("version", ["1.2.3.4.5", "1.2.3.4.post1", "70000.0.0", "latest"])
def test_windows_version_refuses_what_windows_cannot_hold(version: str) -> None:
    with pytest.raises(ValueError):
        build_rules.windows_version(version)


def test_windows_version_command_prints_what_the_workflow_passes_to_iscc() -> None:
    """Run as the workflow runs it: a script in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, str(PACKAGING / "build_rules.py"), "windows-version", "0.2.0rc1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "0.2.0.0\n"), result.stderr
    result = subprocess.run(
        [sys.executable, str(PACKAGING / "build_rules.py"), "windows-version", "1.2.3.4.5"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Windows version" in result.stderr and "Traceback" not in result.stderr


def test_spec_version_resource_for_a_prerelease(
    spec_on: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(moecheck_gui, "__version__", "0.2.0rc1")
    recorder = spec_on("win32")
    for exe in recorder.exes:
        text = repr(exe["version"])
        assert "'filevers': (0, 2, 0, 0)" in text
        assert "('ProductVersion', '0.2.0rc1')" in text
    assert not recorder.bundles
    recorder = spec_on("darwin")
    assert recorder.bundles[0]["version"] == "0.2.0"


def _fake_iscc(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    iscc = folder / "ISCC.exe"
    iscc.write_bytes(b"MZ")
    iscc.chmod(0o755)
    return iscc


def _no_path(name: str) -> None:
    return None


def test_iscc_is_found_in_any_inno_setup_version_newest_first(tmp_path: Path) -> None:
    x86 = tmp_path / "Program Files (x86)"
    env = {"ProgramFiles(x86)": str(x86), "ProgramFiles": str(tmp_path / "Program Files")}
    assert build_rules.find_iscc(env, which=_no_path) is None
    six = _fake_iscc(x86 / "Inno Setup 6")
    assert build_rules.find_iscc(env, which=_no_path) == six
    seven = _fake_iscc(x86 / "Inno Setup 7")
    assert build_rules.find_iscc(env, which=_no_path) == seven


def test_iscc_per_user_install_path_and_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = tmp_path / "AppData" / "Local"
    user = _fake_iscc(local / "Programs" / "Inno Setup 6")
    env = {"LOCALAPPDATA": str(local)}
    assert build_rules.find_iscc(env, which=_no_path) == user
    # On PATH (the real lookup, as `choco` or the runner image may put it there).
    on_path = _fake_iscc(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(on_path.parent))
    assert build_rules.find_iscc(env) == on_path
    # An explicit override wins, and a wrong one is an error, not a fallback.
    override = _fake_iscc(tmp_path / "wine" / "innosetup")
    assert build_rules.find_iscc({**env, "MOECHECK_ISCC": str(override)}) == override
    with pytest.raises(FileNotFoundError, match="MOECHECK_ISCC"):
        build_rules.find_iscc({**env, "MOECHECK_ISCC": str(tmp_path / "nope.exe")})


@pytest.mark.parametrize("platform", PLATFORMS)
def test_excludes_keep_the_test_extras_out_of_windows_and_mac_bundles(
    platform: str, spec_on: Any
) -> None:
    recorder = spec_on(platform)
    stack = set(build_rules.SECRET_SERVICE_STACK)
    for analysis in recorder.analyses:
        excluded = set(analysis["excludes"])
        assert set(build_rules.BASE_EXCLUDES) <= excluded
        if platform == "linux":
            # keyring's Secret Service backend needs them on Linux.
            assert not stack & excluded
            assert {"secretstorage", "jeepney"} <= set(analysis["hiddenimports"])
        else:
            assert stack <= excluded
        assert not excluded & set(analysis["hiddenimports"]), "excluded and hidden at once"


def test_every_app_module_is_a_hidden_import_and_the_cli_skips_the_window(
    spec_on: Any, tmp_path: Path
) -> None:
    recorder = spec_on("linux")
    by_script = {Path(a["scripts"][0]).name: set(a["hiddenimports"]) for a in recorder.analyses}
    assert "moecheck_gui.cli" in by_script["launch_cli.py"]
    assert "moecheck_gui.gui.app" in by_script["launch_gui.py"]
    assert not any(m.startswith("moecheck_gui.gui") for m in by_script["launch_cli.py"])
    # A module that becomes a package keeps its name and gains its submodules.
    pkg = tmp_path / "moecheck_gui"
    (pkg / "cli").mkdir(parents=True)
    (pkg / "gui").mkdir()
    for rel in ("__init__.py", "__main__.py", "cli/__init__.py", "cli/check.py", "gui/app.py"):
        (pkg / rel).write_text("")
    assert build_rules.app_modules(pkg, skip=["moecheck_gui.gui"]) == [
        "moecheck_gui",
        "moecheck_gui.cli",
        "moecheck_gui.cli.check",
    ]


# ----------------------------------------------------------- 2./7. the workflow


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    return data


def _matrix(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {leg["label"]: leg for leg in workflow["jobs"]["build"]["strategy"]["matrix"]["include"]}


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = workflow["jobs"]["build"]["steps"]
    return steps


# Images GitHub has retired or announced as retiring (runner-images #13046,
# #13518; ubuntu-22.04 in April 2027).
RETIRED = {"macos-12", "macos-13", "macos-14", "ubuntu-20.04", "ubuntu-22.04"}


def test_workflow_runs_on_current_images_with_apple_silicon_for_macos(
    workflow: dict[str, Any],
) -> None:
    legs = _matrix(workflow)
    for leg in legs.values():
        assert leg["os"] not in RETIRED
    assert re.fullmatch(r"macos-(1[5-9]|2\d)", legs["macos"]["os"]), "an arm64 macOS image"
    assert workflow["jobs"]["release"]["runs-on"] not in RETIRED


def test_linux_leg_builds_inside_ubuntu_22_04_without_setup_python(
    workflow: dict[str, Any],
) -> None:
    """The glibc floor comes from the container, not from a retiring runner image.

    setup-python's Linux builds come from the host's tool cache, built for the
    runner's newer Ubuntu (actions/setup-python#1224): inside the container
    Python comes from the container's own packages instead.
    """
    assert _matrix(workflow)["linux"]["container"] == "ubuntu:22.04"
    assert workflow["jobs"]["build"]["container"]["image"] == "${{ matrix.container }}"
    # Windows and macOS run on the runner itself: an empty image (actions/runner#2235).
    others = {leg["container"] for label, leg in _matrix(workflow).items() if label != "linux"}
    assert others == {""}
    for step in _steps(workflow):
        if str(step.get("uses", "")).startswith("actions/setup-python"):
            assert "runner.os != 'Linux'" in step.get("if", "")
        if "runner.os == 'Linux'" in step.get("if", ""):
            assert "sudo " not in step.get("run", ""), "the container runs as root, without sudo"


def test_workflow_macos_target_and_minimum_agree(workflow: dict[str, Any]) -> None:
    env = workflow["jobs"]["build"]["env"]
    assert env["MACOSX_DEPLOYMENT_TARGET"] == build_rules.MACOS_MINIMUM
    text = WORKFLOW.read_text()
    assert "macos-arm64.dmg" not in text and "macos-universal.dmg" in text
    assert f"macOS {build_rules.MACOS_MINIMUM.split('.')[0]} or later" in text
    install = (ROOT / "docs" / "install.md").read_text()
    assert "macos-universal.dmg" in install and "macos-arm64" not in install
    assert f"macOS {build_rules.MACOS_MINIMUM.split('.')[0]} Ventura or later" in install


def test_workflow_finds_iscc_and_passes_a_numeric_version(workflow: dict[str, Any]) -> None:
    (step,) = [s for s in _steps(workflow) if s.get("name") == "Inno Setup installer (Windows)"]
    script = step["run"]
    assert "build_rules.py find-iscc" in script
    assert "Inno Setup 6" not in script
    assert "build_rules.py windows-version" in script
    assert "/DNumericVersion=" in script


def test_inno_script_refuses_a_prerelease_without_a_numeric_version() -> None:
    """ISPP cannot parse PEP 440, so AppVersion + ".0" is only a fallback for plain versions."""
    iss = (PACKAGING / "windows" / "moecheck.iss").read_text()
    fallback = iss[iss.index("#ifndef NumericVersion") :]
    fallback = fallback[: fallback.index("#endif")]
    assert "#error" in fallback and "build_rules.py windows-version" in fallback


def test_inno_setup_compiles_a_prerelease_with_the_numeric_version(tmp_path: Path) -> None:
    """The real compiler (ISCC.exe under Wine, set up by `make package-test`).

    Without /DNumericVersion a pre-release is refused with a message naming the
    fix; with the number build_rules computes, it compiles (VersionInfoVersion
    and VersionInfoProductVersion must both be numeric).
    """
    iscc = ROOT / "build" / "innosetup" / "node_modules" / "innosetup" / "bin" / "ISCC.exe"
    icon = ROOT / "build" / "icons" / "moecheck.ico"
    wine = shutil.which("wine")
    if wine is None or not iscc.is_file() or not icon.is_file():
        pytest.skip("needs wine and ISCC.exe (make windows-installer-check installs them)")
    payload = tmp_path / "payload"
    (payload / "_internal").mkdir(parents=True)
    for name in ("moecheck-gui.exe", "moecheck.exe"):
        (payload / name).write_bytes(b"MZ stand-in")
    out = tmp_path / "out"
    out.mkdir()

    def winpath(path: Path) -> str:
        return "Z:" + str(path).replace("/", "\\")

    env = {
        **os.environ,
        "WINEPREFIX": str(tmp_path / "wineprefix"),
        "WINEDEBUG": "-all",
        "WINEDLLOVERRIDES": "mscoree,mshtml=",
    }
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)

    def compile_iss(*defines: str) -> subprocess.CompletedProcess[str]:
        args = [wine, str(iscc), *defines, "/DAppPublisher=Test", "/DAppContact=t@example.org"]
        args += [f"/DSourceDir={winpath(payload)}", f"/DIconFile={winpath(icon)}"]
        args += [f"/DOutputDir={winpath(out)}", winpath(PACKAGING / "windows" / "moecheck.iss")]
        result = subprocess.run(
            args, capture_output=True, text=True, env=env, timeout=300, check=False
        )
        subprocess.run(["wineserver", "--wait"], env=env, check=False, timeout=120)
        return result

    refused = compile_iss("/DAppVersion=0.2.0rc1")
    assert refused.returncode != 0
    assert "pass /DNumericVersion" in refused.stdout + refused.stderr
    numeric = build_rules.windows_version_string("0.2.0rc1")
    done = compile_iss("/DAppVersion=0.2.0rc1", f"/DNumericVersion={numeric}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "MoeCheck-Setup-0.2.0rc1.exe").read_bytes()[:2] == b"MZ"


# ------------------------------------------- 7. universal2, macOS 13: the checker

sys.path.insert(0, str(PACKAGING / "macos"))
import check_app  # noqa: E402 - packaging/macos is not a package

X86_64, ARM64 = 0x01000007, 0x0100000C


def _thin(cpu: int, minimum: tuple[int, int], *, old_style: bool = False) -> bytes:
    """A minimal 64-bit Mach-O image with one version load command."""
    encoded = (minimum[0] << 16) | (minimum[1] << 8)
    if old_style:  # LC_VERSION_MIN_MACOSX: cmd, size, version, sdk
        command = struct.pack("<IIII", 0x24, 16, encoded, encoded)
    else:  # LC_BUILD_VERSION: cmd, size, platform (1 = macOS), minos, sdk, ntools
        command = struct.pack("<IIIIII", 0x32, 24, 1, encoded, encoded, 0)
    header = struct.pack("<IiiIIIII", 0xFEEDFACF, cpu, 0, 6, 1, len(command), 0, 0)
    return header + command


def _fat(*images: bytes) -> bytes:
    head = struct.pack(">II", 0xCAFEBABE, len(images))
    offset = 4096
    table, body = b"", b""
    for image in images:
        cpu = struct.unpack_from("<i", image, 4)[0]
        table += struct.pack(">iiIII", cpu, 0, offset + len(body), len(image), 12)
        body += image
    return (head + table).ljust(offset, b"\0") + body


def test_app_checker_accepts_universal_files_for_macos_13(tmp_path: Path) -> None:
    app = tmp_path / "MoeCheck.app"
    macos = app / "Contents" / "MacOS"
    macos.mkdir(parents=True)
    (macos / "moecheck-gui").write_bytes(_fat(_thin(X86_64, (10, 13)), _thin(ARM64, (11, 0))))
    lib = app / "Contents" / "Frameworks" / "QtCore.framework" / "Versions" / "A"
    lib.mkdir(parents=True)
    (lib / "QtCore").write_bytes(
        _fat(_thin(X86_64, (13, 0), old_style=True), _thin(ARM64, (13, 0)))
    )
    (lib.parent / "Current").symlink_to("A")
    (app / "Contents" / "Info.plist").write_bytes(b"<?xml version='1.0'?><plist/>")
    (app / "Contents" / "Resources").mkdir()
    (app / "Contents" / "Resources" / "Thing.class").write_bytes(
        struct.pack(">II", 0xCAFEBABE, 61) + b"\0" * 32  # Java class, not a fat binary
    )
    assert list(check_app.problems(app, "13.0")) == []
    assert check_app.main([str(app)]) == 0


def test_app_checker_names_a_thin_or_too_new_library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = tmp_path / "MoeCheck.app"
    lib = app / "Contents" / "Frameworks" / "cryptography" / "hazmat" / "bindings"
    lib.mkdir(parents=True)
    (lib / "_rust.abi3.so").write_bytes(_thin(ARM64, (11, 0)))  # an arm64-only wheel
    (app / "Contents" / "Frameworks" / "QtGui").write_bytes(
        _fat(_thin(X86_64, (13, 0)), _thin(ARM64, (14, 0)))
    )
    assert check_app.main([str(app)]) == 1
    out = capsys.readouterr().out
    assert "_rust.abi3.so: no x86_64 slice (has arm64)" in out
    assert "QtGui: the arm64 slice needs macOS 14.0.0, newer than 13.0" in out
    assert "x86_64 slice needs" not in out
    assert list(check_app.problems(tmp_path / "empty")) == [
        f"{tmp_path / 'empty'}: no Mach-O files found"
    ]


# ------------------------------------------- 8. the PAC engine in frozen builds

PAC_ENGINE_FILES = {
    "dukpy/jsruntime/commonjs_runtime.js",
    "dukpy/jsruntime/console_runtime.js",
    "dukpy/jsruntime/process_runtime.js",
    "dukpy/jscore/path.js",
    "publicsuffixlist/public_suffix_list.dat",
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_spec_collects_the_pac_engine_without_dukpys_jsmodules(platform: str, spec_on: Any) -> None:
    recorder = spec_on(platform)
    assert len(recorder.analyses) == 2  # the window's executable and the command's
    for analysis in recorder.analyses:
        collected = {f"{dest}/{Path(src).name}" for src, dest in analysis["datas"]}
        assert PAC_ENGINE_FILES <= collected
        assert not [d for d in collected if "/jsmodules/" in d or "/webassets/" in d]
        hidden = set(analysis["hiddenimports"])
        assert {"moecheck_gui.proxy.pac_worker", "pypac.parser", "dukpy._dukpy"} <= hidden
        assert {"publicsuffixlist", "pypac.wpad"} <= hidden
        excluded = set(analysis["excludes"])
        assert {"SystemConfiguration", "dukpy.webassets"} <= excluded
        assert not excluded & hidden


def test_pac_engine_datas_refuse_a_missing_package_or_file(tmp_path: Path) -> None:
    dukpy = tmp_path / "dukpy"
    (dukpy / "jscore").mkdir(parents=True)
    (dukpy / "jscore" / "path.js").write_text("")
    psl = tmp_path / "publicsuffixlist"
    psl.mkdir()
    (psl / "public_suffix_list.dat").write_text("com\n")
    found = {"dukpy": dukpy, "publicsuffixlist": psl}
    with pytest.raises(FileNotFoundError, match=r"dukpy: no file matches jsruntime/\*\.js"):
        build_rules.pac_engine_datas(found.get)
    (dukpy / "jsruntime").mkdir()
    (dukpy / "jsruntime" / "process_runtime.js").write_text("")
    assert sorted(build_rules.pac_engine_datas(found.get)) == [
        (str(dukpy / "jscore" / "path.js"), "dukpy/jscore"),
        (str(dukpy / "jsruntime" / "process_runtime.js"), "dukpy/jsruntime"),
        (str(psl / "public_suffix_list.dat"), "publicsuffixlist"),
    ]
    with pytest.raises(FileNotFoundError, match="needs the package 'publicsuffixlist'"):
        build_rules.pac_engine_datas({"dukpy": dukpy}.get)


def _engine_as_frozen(site: Path, left_out: str | None) -> None:
    """pypac, dukpy and publicsuffixlist as the bundle holds them: modules + collected data only."""
    for package in ("dukpy", "pypac", "publicsuffixlist"):
        source = build_rules.package_dir(package)
        assert source is not None
        (site / package).mkdir(parents=True)
        for path in source.iterdir():
            if path.is_file() and (path.suffix == ".py" or path.name.startswith("_dukpy")):
                shutil.copy2(path, site / package / path.name)
    for src, dest in build_rules.pac_engine_datas():
        if left_out and Path(src).name.startswith(left_out):
            continue
        (site / dest).mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, site / dest / Path(src).name)


_RUN_PAC_STEP = """
import json, sys
import dukpy, publicsuffixlist, pypac
for module in (dukpy, publicsuffixlist, pypac):
    assert module.__file__.startswith(sys.argv[1]), module.__file__
from moecheck_gui.gui.selftest import _check_pac_engine, _run_step
result = _run_step("PAC engine", lambda: _check_pac_engine(30.0))
print(json.dumps([result.passed, result.detail]))
"""


@pytest.mark.parametrize(
    ("left_out", "failure"),
    [
        (None, None),
        ("process_runtime.js", "process_runtime.js"),
        ("public_suffix_list.dat", "public_suffix_list.dat"),
    ],
)
def test_the_collected_files_are_all_a_pac_run_needs(
    tmp_path: Path, left_out: str | None, failure: str | None
) -> None:
    """The self-test's PAC step, in a process that sees only what the spec collects.

    The engine's packages are copied as the bundle holds them (modules, the
    extension, the data files build_rules.pac_engine_datas lists: no jsmodules)
    and put first on the path; the PAC child process inherits it. Leaving out
    one collected file must fail the step, naming the file.
    """
    site = tmp_path / "site"
    _engine_as_frozen(site, left_out)
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", _RUN_PAC_STEP, str(site)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    passed, detail = json.loads(done.stdout.strip().splitlines()[-1])
    if failure is None:
        assert passed, detail
        assert "PROXY 127.0.0.1:3128; DIRECT" in detail
    else:
        assert not passed
        assert failure in detail


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in app is a POSIX shell script")
def test_self_test_pac_step_fails_when_the_engine_cannot_start(tmp_path: Path) -> None:
    """The PAC child is started from an executable that is not a working engine.

    That is what a frozen app without multiprocessing.freeze_support() does:
    the child is the app itself, which reads multiprocessing's arguments as a
    command line, prints its usage and exits. A shell script stands in for that
    app here (a frozen build is made by make package-test, not by the tests).
    """
    from multiprocessing import resource_tracker, spawn

    from moecheck_gui.gui.selftest import _check_pac_engine
    from moecheck_gui.proxy import PacRunner

    resource_tracker.ensure_running()  # started by this interpreter, as in the app
    app = tmp_path / "moecheck"
    app.write_text("#!/bin/sh\necho 'usage: moecheck [-h] [--version] COMMAND ...' >&2\nexit 2\n")
    app.chmod(0o755)
    previous = spawn.get_executable()
    spawn.set_executable(str(app))
    runner = PacRunner()
    try:
        passed, detail = _check_pac_engine(10.0, runner=runner)
    finally:
        runner.close()
        spawn.set_executable(previous)
    assert runner.started == 1
    assert not passed
    assert "the PAC engine did not start" in detail


@pytest.mark.parametrize("launcher", ["launch_cli.py", "launch_gui.py"])
def test_launchers_run_freeze_support_before_the_app(launcher: str) -> None:
    """The spawned PAC child is the executable itself: freeze_support() must see it first.

    Before it only the standard library may be imported (never the app or Qt),
    and it is the first statement of the main block.
    """
    tree = ast.parse((PACKAGING / launcher).read_text())
    top_imports = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top_imports |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            top_imports.add(node.module or "")
    assert top_imports <= {"__future__", "multiprocessing", "sys"}
    (guard,) = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)
    ]
    assert ast.unparse(guard.body[0]) == "multiprocessing.freeze_support()"


def test_workflow_fuses_dukpy_for_both_mac_architectures_before_freezing(
    workflow: dict[str, Any],
) -> None:
    names = [step.get("name", "") for step in _steps(workflow)]
    (fuse,) = [s for s in _steps(workflow) if "dukpy" in s.get("name", "")]
    assert fuse["if"] == "runner.os == 'macOS'"
    script = fuse["run"]
    assert "delocate-merge" in script and "delocate==" in script
    assert "macosx_13_0_$arch" in script and "for arch in x86_64 arm64" in script
    assert script.rstrip().splitlines()[-1].startswith("python packaging/macos/check_app.py")
    position = names.index(fuse["name"])
    assert position > names.index("Install MoeCheck and the build tools")
    assert position < names.index("Tests (Windows, macOS)")
    assert position < names.index("Freeze (PyInstaller onedir)")
