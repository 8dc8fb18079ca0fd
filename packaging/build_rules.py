"""Rules the release build follows, as plain functions the tests can call.

``packaging/moecheck.spec`` only runs inside PyInstaller, and the Windows and
macOS legs only run on GitHub's runners, so every decision that could break a
release there (what is excluded per platform, which links survive the slimming,
how a version becomes a Windows file version, the Mac Info.plist, where Inno
Setup's compiler lives) is made here and tested on this machine
(``tests/test_release_build.py``). The spec imports this module; the release
workflow calls its command line::

    python packaging/build_rules.py windows-version [VERSION]   # 0.2.0rc1 -> 0.2.0.0
    python packaging/build_rules.py find-iscc                  # path of ISCC.exe
    python packaging/build_rules.py macos-minimum              # 13.0

Nothing here imports PyInstaller or Qt: the module must load in the test
environment and in the bare build environment alike.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# A PyInstaller TOC entry: (destination in the bundle, source or link target, kind).
Entry = tuple[str, str, str]

# ---------------------------------------------------------------------------
# macOS
# ---------------------------------------------------------------------------

# The oldest macOS the app runs on. PySide6-Essentials 6.11 (pyproject caps it
# below 6.12) ships one macOS wheel, tagged macosx_13_0_universal2; Python 3.11
# from python.org (what actions/setup-python installs on macOS) is universal2
# for macOS 10.9+. The Info.plist, the workflow's MACOSX_DEPLOYMENT_TARGET and
# docs/install.md all say this number; tests/test_release_build.py checks that
# they agree.
MACOS_MINIMUM = "13.0"
# One .app for Intel and Apple-silicon Macs. Every compiled module in the bundle
# must then carry both slices (PyInstaller stops with "is not a fat binary"
# otherwise): Python, PySide6/shiboken6 and charset-normalizer do; cffi and
# cryptography (only in the test extras on macOS) do not, and are excluded.
MACOS_TARGET_ARCH = "universal2"


def macos_version(version: str) -> str:
    """The bundle version Apple expects: up to three integers (``0.2.0rc1`` -> ``0.2.0``).

    CFBundleShortVersionString and CFBundleVersion are period-separated
    integers; a pre-release marker there is not a valid bundle version.
    """
    release = _release(version)[:3]
    return ".".join(str(n) for n in release)


def info_plist(
    version: str, app_name: str, gui_executable: str = "moecheck-gui"
) -> dict[str, object]:
    """The Info.plist keys the spec passes to PyInstaller's BUNDLE.

    BUNDLE writes its own defaults first and then applies these. It takes
    ``console`` from the last executable collected -- ``moecheck``, a console
    program -- and then writes ``LSBackgroundOnly = True``: an app without Dock
    icon or menu bar. So ``LSBackgroundOnly`` is set to False here, explicitly.
    """
    bundle_version = macos_version(version)
    return {
        "CFBundleName": app_name,
        "CFBundleDisplayName": app_name,
        "CFBundleExecutable": gui_executable,
        "CFBundleShortVersionString": bundle_version,
        "CFBundleVersion": bundle_version,
        "LSBackgroundOnly": False,
        "NSHighResolutionCapable": True,
        "LSMinimumSystemVersion": MACOS_MINIMUM,
        "LSApplicationCategoryType": "public.app-category.developer-tools",
        "NSHumanReadableCopyright": "MIT License",
        "NSRequiresAquaSystemAppearance": False,  # follow dark mode
    }


# ---------------------------------------------------------------------------
# What goes into the bundle
# ---------------------------------------------------------------------------

# Python modules the app never uses. PySide6-Essentials' other Qt modules are
# not imported by MoeCheck, so PyInstaller would not collect them anyway; they
# are listed so that a stray import elsewhere cannot drag them (and their
# plugins, QML files and libraries) back in silently.
BASE_EXCLUDES = (
    "tkinter",
    "_tkinter",
    "unittest",
    "pydoc",
    "pdb",
    "doctest",
    "lib2to3",
    "idlelib",
    "ensurepip",
    "venv",
    "xmlrpc",
    "pytest",
    "_pytest",
    "hypothesis",
    "trustme",
    "mypy",
    "PySide6.QtNetwork",
    "PySide6.QtDBus",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtPrintSupport",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtXml",
    "PySide6.QtConcurrent",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtUiTools",
    "PySide6.QtSvgWidgets",
)

# The Secret Service client stack. keyring needs it on Linux only (it is how
# keyring talks to GNOME Keyring/KWallet). On Windows and macOS it is installed
# solely by the test extras (SecretStorage for the keychain tests), yet
# PyInstaller's keyring hook collects keyring.backends.SecretService, which
# imports it: ~12 MB of cryptography in the bundle, and on macOS arm64-only
# wheels (cryptography, cffi) that break a universal2 build. Windows' keyring
# backend uses pywin32-ctypes, which falls back to ctypes without cffi
# (PyInstaller's hook-win32ctypes.core always collects the ctypes backend).
SECRET_SERVICE_STACK = ("secretstorage", "jeepney", "cryptography", "cffi", "_cffi_backend")


def excludes(platform: str) -> list[str]:
    """Modules kept out of the bundle built on ``platform`` (a ``sys.platform`` value)."""
    names = list(BASE_EXCLUDES) + list(PAC_ENGINE_EXCLUDES)
    if not platform.startswith("linux"):
        names += SECRET_SERVICE_STACK
    return names


# ---------------------------------------------------------------------------
# The PAC engine (docs/proxies.md): pypac + dukpy, run in a child process
# ---------------------------------------------------------------------------

# No PyInstaller hook exists for pypac, dukpy or publicsuffixlist. Their modules
# are imported inside functions (pypac.parser loads dukpy on first use,
# pypac.wpad loads publicsuffixlist), and the worker runs in a spawned child, so
# they are named here rather than left to import analysis.
PAC_ENGINE_IMPORTS = (
    "moecheck_gui.proxy.pac_worker",
    "pypac",
    "pypac.parser",
    "pypac.parser_functions",
    "pypac.parser_functions_ex",
    "pypac.wpad",
    "dukpy",
    "dukpy._dukpy",
    "dukpy.evaljs",
    "dukpy.module_loader",
    "publicsuffixlist",
)

# Data files the engine reads by path at run time, per package (globs relative
# to the package folder). dukpy's JSInterpreter (which pypac's PACFile builds)
# reads its three jsruntime/*.js files on creation; jscore/ (72 KB) is what
# require() of Node's core modules finds, kept so a PAC helper that asks for it
# still works. publicsuffixlist opens public_suffix_list.dat when WPAD builds its
# candidate list. Left out on purpose: dukpy/jsmodules (11 MB of Babel,
# TypeScript and LESS compilers that PAC never loads -- the loader only
# registers the folder's path) and dukpy/webassets (a plugin for the webassets
# package, which is not installed).
PAC_ENGINE_DATA: dict[str, tuple[str, ...]] = {
    "dukpy": ("jsruntime/*.js", "jscore/*.js"),
    "publicsuffixlist": ("public_suffix_list.dat",),
}
PAC_ENGINE_LEFT_OUT = ("dukpy/jsmodules", "dukpy/webassets")

# dukpy.webassets imports the webassets package (not installed: a warning and
# nothing gained). pypac.os_settings imports SystemConfiguration (pyobjc, a
# pypac dependency on macOS only) inside the function that reads macOS proxy
# settings; MoeCheck reads `scutil --proxy` itself and never calls it, and the
# pyobjc framework wrappers would add megabytes of compiled modules to the .app.
PAC_ENGINE_EXCLUDES = ("dukpy.webassets", "SystemConfiguration")


def package_dir(name: str) -> Path | None:
    """The folder of installed package ``name`` (found without importing it), or None."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def pac_engine_datas(
    find: Callable[[str], Path | None] = package_dir,
) -> list[tuple[str, str]]:
    """``(source file, destination folder)`` pairs the spec adds to ``datas``.

    Raises FileNotFoundError when a package or one of its patterns finds
    nothing: a bundle without them builds fine and fails only when a user's
    PAC file runs ("the PAC engine did not start" or a missing-file error).
    """
    pairs: list[tuple[str, str]] = []
    for package, patterns in PAC_ENGINE_DATA.items():
        folder = find(package)
        if folder is None or not folder.is_dir():
            raise FileNotFoundError(f"the PAC engine needs the package {package!r}: not installed")
        for pattern in patterns:
            files = sorted(p for p in folder.glob(pattern) if p.is_file())
            if not files:
                raise FileNotFoundError(f"{package}: no file matches {pattern} in {folder}")
            for path in files:
                dest = posixpath.join(package, path.parent.relative_to(folder).as_posix())
                pairs.append((str(path), posixpath.normpath(dest)))
    return pairs


def keyring_imports(platform: str) -> list[str]:
    """keyring backends for ``platform``, named because keyring imports them lazily.

    PyInstaller's hook-keyring collects keyring.backends.* and keyring's entry
    points; the backends' own dependencies are imported inside them.
    """
    names = ["keyring.backends.chainer", "keyring.backends.fail", "keyring.backends.null"]
    if platform.startswith("linux"):
        names += [
            "keyring.backends.SecretService",
            "keyring.backends.kwallet",
            "secretstorage",
            "jeepney",
            "jeepney.io.blocking",
        ]
    elif platform == "win32":
        names += ["keyring.backends.Windows", "win32ctypes.core"]
    elif platform == "darwin":
        names += ["keyring.backends.macOS", "keyring.backends.macOS.api"]
    return names


def app_modules(package_dir: Path | None = None, skip: Iterable[str] = ()) -> list[str]:
    """Every module of the ``moecheck_gui`` package, found on disk (nothing is imported).

    Named as hidden imports so that a module reached only through importlib
    (or a module turned into a package, such as ``moecheck_gui.cli``) is still
    frozen. ``skip`` drops whole subpackages (the CLI does not need the window).
    """
    base = package_dir or ROOT / "moecheck_gui"
    skipped = tuple(skip)
    names = []
    for path in sorted(base.rglob("*.py")):
        parts = (base.name, *path.relative_to(base).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[-1] == "__main__":
            continue
        name = ".".join(parts)
        if any(name == s or name.startswith(s + ".") for s in skipped):
            continue
        names.append(name)
    return names


# ---------------------------------------------------------------------------
# Symbolic links
# ---------------------------------------------------------------------------


def _norm(dest: str) -> str:
    return dest.replace("\\", "/").strip("/")


def _resolve(path: str, links: Mapping[str, str], depth: int = 0) -> str | None:
    """``path`` inside the bundle with every link on the way followed (None: leaves the bundle)."""
    if depth > 40:  # a link cycle
        return None
    current = ""
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not current:
                return None
            current = posixpath.dirname(current)
            continue
        candidate = posixpath.join(current, part) if current else part
        target = links.get(candidate)
        if target is None:
            current = candidate
            continue
        if target.startswith("/"):
            return None
        parent = posixpath.dirname(candidate)
        resolved = _resolve(posixpath.join(parent, target) if parent else target, links, depth + 1)
        if resolved is None:
            return None
        current = resolved
    return current


def drop_dangling_links(
    binaries: list[Entry], datas: list[Entry]
) -> tuple[list[Entry], list[Entry]]:
    """Both lists without the SYMLINK entries whose target will not be in the bundle.

    Slimming drops files (unloaded Qt libraries, plugins), and PyInstaller adds
    links to them (e.g. top-level ``libQt6Network.so.6``). A link is kept when
    its target, followed through any other links, is a shipped file *or a
    folder* holding shipped files: macOS frameworks are laid out with links to
    folders and through other links (``Versions/Current -> A``,
    ``QtCore -> Versions/Current/QtCore``, ``Resources ->
    Versions/Current/Resources``), and ``codesign --verify --strict`` rejects a
    framework that lacks them.
    """
    entries = binaries + datas
    files = {_norm(dest) for dest, _src, kind in entries if kind != "SYMLINK"}
    folders = {""}
    for name in files:
        while name:
            name = posixpath.dirname(name)
            folders.add(name)
    links = {
        _norm(dest): src.replace("\\", "/") for dest, src, kind in entries if kind == "SYMLINK"
    }
    dangling = set()
    for link in links:
        resolved = _resolve(link, links)
        if resolved is None or (resolved not in files and resolved not in folders):
            dangling.add(link)

    def keep(entry: Entry) -> bool:
        return entry[2] != "SYMLINK" or _norm(entry[0]) not in dangling

    return [e for e in binaries if keep(e)], [e for e in datas if keep(e)]


# ---------------------------------------------------------------------------
# Windows
# ---------------------------------------------------------------------------


def _release(version: str) -> tuple[int, ...]:
    from packaging.version import Version  # PyInstaller and pytest both depend on it

    return Version(version).release


def windows_version(version: str) -> tuple[int, int, int, int]:
    """The four 16-bit numbers of a Windows file version for a PEP 440 ``version``.

    Windows (the executables' version resource, Inno Setup's
    ``VersionInfoVersion``) takes only ``a.b.c.d``. The release numbers come
    first; the fourth is the post-release number (``0.2.0.post1`` ->
    ``0.2.0.1``). Pre-release and development markers have no place in those
    numbers (``0.2.0rc1`` -> ``0.2.0.0``); they stay visible in the text fields
    (ProductVersion, the installer's name and AppVersion). The installer copies
    every file regardless of version (``ignoreversion``), so equal numbers for
    an rc and its final release change nothing on upgrade.
    """
    from packaging.version import Version

    parsed = Version(version)
    release = list(parsed.release)
    if len(release) > 4 or (len(release) == 4 and parsed.post is not None):
        raise ValueError(f"{version!r} has more parts than a Windows version can hold")
    release += [0] * (3 - len(release))
    if len(release) == 3:
        release.append(parsed.post or 0)
    if any(n > 0xFFFF for n in release):
        raise ValueError(f"{version!r}: each Windows version part must be at most 65535")
    a, b, c, d = release
    return a, b, c, d


def windows_version_string(version: str) -> str:
    """``windows_version`` as the ``a.b.c.d`` text Inno Setup's /DNumericVersion takes."""
    return ".".join(str(n) for n in windows_version(version))


ISCC_OVERRIDE = "MOECHECK_ISCC"


def iscc_candidates(env: Mapping[str, str]) -> list[Path]:
    """Where Inno Setup's compiler is installed, newest major version first.

    The machine-wide installer (Chocolatey, the runner images) uses
    ``%ProgramFiles(x86)%\\Inno Setup <N>``; a per-user install goes to
    ``%LOCALAPPDATA%\\Programs\\Inno Setup <N>``. The major version is not fixed
    to 6: a runner image may carry a newer one.
    """
    bases = [
        env.get("ProgramFiles(x86)"),
        env.get("ProgramFiles"),
        os.path.join(env["LOCALAPPDATA"], "Programs") if env.get("LOCALAPPDATA") else None,
    ]
    found: list[tuple[int, Path]] = []
    for base in bases:
        if not base or not Path(base).is_dir():
            continue
        for folder in Path(base).glob("Inno Setup*"):
            digits = "".join(ch for ch in folder.name if ch.isdigit())
            found.append((int(digits) if digits else 0, folder / "ISCC.exe"))
    found.sort(key=lambda item: -item[0])  # stable: base order breaks ties
    return [path for _major, path in found]


def find_iscc(
    env: Mapping[str, str] | None = None, which: Callable[[str], str | None] = shutil.which
) -> Path | None:
    """ISCC.exe: the ``MOECHECK_ISCC`` override, else PATH, else the known install folders.

    A set override that does not exist is an error (``FileNotFoundError``), not
    a reason to quietly use another compiler.
    """
    env = os.environ if env is None else env
    override = env.get(ISCC_OVERRIDE)
    if override:
        if not Path(override).is_file():
            raise FileNotFoundError(f"{ISCC_OVERRIDE}={override} does not exist")
        return Path(override)
    for name in ("ISCC.exe", "iscc"):
        hit = which(name)
        if hit:
            return Path(hit)
    for candidate in iscc_candidates(env):
        if candidate.is_file():
            return candidate
    return None


# ---------------------------------------------------------------------------
# Command line (used by .github/workflows/release.yml)
# ---------------------------------------------------------------------------


def _app_version() -> str:
    sys.path.insert(0, str(ROOT))
    import moecheck_gui

    return str(moecheck_gui.__version__)


def main(argv: list[str] | None = None) -> int:
    """Print one build value; exit 1 with a message when it cannot be had."""
    parser = argparse.ArgumentParser(prog="build_rules.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    wv = sub.add_parser("windows-version", help="a.b.c.d for a version (default: the app's)")
    wv.add_argument("version", nargs="?")
    sub.add_parser("find-iscc", help="path of Inno Setup's ISCC.exe")
    sub.add_parser("macos-minimum", help="the oldest macOS the app supports")
    args = parser.parse_args(argv)
    try:
        if args.command == "windows-version":
            print(windows_version_string(args.version or _app_version()))
        elif args.command == "find-iscc":
            iscc = find_iscc()
            if iscc is None:
                print("build_rules.py: Inno Setup's ISCC.exe not found", file=sys.stderr)
                return 1
            print(iscc)
        else:
            print(MACOS_MINIMUM)
    except (ValueError, FileNotFoundError) as exc:
        print(f"build_rules.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
