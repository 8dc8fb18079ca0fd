"""Turn the frozen bundle (dist/moecheck) into a .deb and a portable .tar.xz.

    python packaging/linux/build_deb.py [--bundle dist/moecheck] [--icons build/icons] [--out dist]

Why a script rather than debhelper: the payload is a finished PyInstaller
bundle, not something to compile, so all that is needed is a staged tree, a
control file and ``dpkg-deb``. Two facts are *measured* from the bundle instead
of being written down, because they change with the build machine:

- the glibc floor: the highest ``GLIBC_x.y`` symbol version any shipped ELF
  file needs (``readelf -V``), which becomes ``libc6 (>= x.y)``;
- the other Depends: every library a shipped ELF file needs (``DT_NEEDED``)
  that the bundle does not carry is looked up with ``ldconfig -p`` and mapped
  to its Debian package with ``dpkg -S``, like a small ``dpkg-shlibdeps``.
  The spec deliberately leaves X11/xcb, fonts, D-Bus, GLib and the C++ runtime
  out of the bundle, so they show up here.

Layout: the bundle under /opt/moecheck, /usr/bin/moecheck-gui and
/usr/bin/moecheck as symlinks into it (the PyInstaller bootloader resolves
/proc/self/exe, so it finds _internal/ through the link), the desktop file,
hicolor icons, AppStream metainfo and a copyright file. Files are root-owned
(``--root-owner-group``) and compressed with xz.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from moecheck_gui import APP_ID, APP_NAME, __version__, publisher  # noqa: E402 - needs ROOT on sys.path
from moecheck_gui.i18n import TRANSLATED_LANGUAGES  # noqa: E402

PACKAGE = "moecheck"
ARCH = "amd64"
INSTALL_DIR = "/opt/moecheck"
EXECUTABLES = ("moecheck-gui", "moecheck")
MAINTAINER = publisher.maintainer()
"""From moecheck_gui/publisher.py, the one place that names the publisher."""

QT_SYSTEM_DEPENDS = (
    # What Qt's xcb/EGL/GL/font/D-Bus code needs from the system, whether it
    # links it (then the scan below finds it too) or dlopen()s it (then only
    # this list names it): libEGL/libGL are always loaded at run time.
    "libxcb-cursor0",
    "libxkbcommon-x11-0",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libdbus-1-3",
)
GLIBC_LIBS = frozenset(
    {
        "libc.so.6",
        "libm.so.6",
        "libpthread.so.0",
        "libdl.so.2",
        "librt.so.1",
        "libutil.so.1",
        "libresolv.so.2",
        "ld-linux-x86-64.so.2",
    }
)
"""Provided by libc6; expressed as the measured ``libc6 (>= floor)`` instead."""

_GLIBC_VERSION = re.compile(r"Name: GLIBC_(\d+(?:\.\d+)+)")
_NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]")
_SUMMARY = "check whether MoEngage credentials work, and why not"
_DESCRIPTION = """\
 MoeCheck tells you in one click whether a MoEngage workspace ID and Data API
 key work. When they do, it shows the workspace name; when they do not, it
 explains why in plain language and what to do (wrong or regenerated key,
 wrong data center, suspended account, rate limit, proxy, network login page).
 .
 Includes the window (moecheck-gui) and the command (moecheck)."""


class BuildError(Exception):
    """Packaging cannot continue; ``str()`` says what is missing or wrong."""


def _run(cmd: list[str]) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BuildError(f"{' '.join(cmd)} failed: {result.stderr.strip()[:500]}")
    return result.stdout


def elf_files(folder: Path) -> list[Path]:
    """Every regular ELF file under ``folder`` (symlinks skipped: their targets count)."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as handle:
            if handle.read(4) == b"\x7fELF":
                found.append(path)
    return found


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def glibc_floor(files: list[Path]) -> str:
    """The highest GLIBC symbol version any of ``files`` needs (e.g. ``"2.35"``)."""
    versions: set[str] = set()
    for path in files:
        versions.update(_GLIBC_VERSION.findall(_run(["readelf", "-V", "--wide", str(path)])))
    if not versions:
        raise BuildError("no GLIBC symbol versions found: is this really a Linux bundle?")
    return max(versions, key=_version_key)


def needed_libraries(files: list[Path]) -> set[str]:
    """The DT_NEEDED sonames of ``files``."""
    needed: set[str] = set()
    for path in files:
        needed.update(_NEEDED.findall(_run(["readelf", "-d", "--wide", str(path)])))
    return needed


def _ldconfig_paths() -> dict[str, str]:
    paths: dict[str, str] = {}
    for line in _run(["ldconfig", "-p"]).splitlines():
        match = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if match and "x86-64" in match.group(2):
            paths.setdefault(match.group(1), match.group(3))
    return paths


def _owning_package(path: str) -> str:
    candidates = [path, os.path.realpath(path)]
    # usrmerge: dpkg knows /lib/... while ldconfig may report /usr/lib/... (and back)
    for candidate in list(candidates):
        if candidate.startswith("/usr/lib/"):
            candidates.append(candidate[len("/usr") :])
        elif candidate.startswith("/lib/"):
            candidates.append("/usr" + candidate)
    for candidate in candidates:
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            ["dpkg", "-S", candidate],  # noqa: S607 - dpkg from PATH, like dpkg-deb
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode == 0:
            return result.stdout.split(":", 1)[0].strip()
    raise BuildError(f"no Debian package owns {path}")


def system_depends(bundle: Path, files: list[Path]) -> tuple[list[str], dict[str, str]]:
    """Debian packages for the libraries the bundle needs but does not carry.

    Returns (sorted package names, {soname: package}) for the docs/log.
    """
    carried = {p.name for p in bundle.rglob("*")}
    missing = sorted(needed_libraries(files) - carried - GLIBC_LIBS)
    where = _ldconfig_paths()
    mapping: dict[str, str] = {}
    for soname in missing:
        if soname not in where:
            raise BuildError(
                f"the bundle needs {soname}, which is neither bundled nor installed here"
            )
        mapping[soname] = _owning_package(where[soname])
    packages = sorted(set(mapping.values()) | set(QT_SYSTEM_DEPENDS))
    return packages, mapping


def _desktop_file(source: Path) -> str:
    """The desktop entry, with StartupWMClass set to what Qt puts in WM_CLASS.

    Qt's xcb plugin sets WM_CLASS to (executable name, applicationName()); the
    app calls setApplicationName(APP_NAME), so the class is APP_NAME. (On
    Wayland, and for GNOME/KDE on X11, the window is matched through
    setDesktopFileName(APP_ID) instead, which names this file.)
    """
    lines = []
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("StartupWMClass="):
            continue
        lines.append(line)
    lines.append(f"StartupWMClass={APP_NAME}")
    return "\n".join(lines) + "\n"


def _metainfo(source: Path, version: str) -> str:
    """The AppStream file, with the publisher and a <release> for ``version`` if it has none yet.

    The publisher (``<developer>``, and ``<update_contact>`` once it is set) is
    filled in from moecheck_gui/publisher.py, so the source file never names one.
    """
    text = source.read_text(encoding="utf-8")
    name = escape(publisher.display_name())
    developer = (
        f"  <developer_name>{name}</developer_name>\n"
        f'  <developer id="{APP_ID.rsplit(".", 1)[0]}">\n    <name>{name}</name>\n  </developer>\n'
    )
    if publisher.is_set():
        developer += f"  <update_contact>{escape(publisher.CONTACT)}</update_contact>\n"
    text = text.replace("  <description>", developer + "  <description>", 1)
    if f'version="{version}"' not in text:
        today = dt.date.today().isoformat()
        text = text.replace(
            "<releases>",
            f'<releases>\n    <release version="{version}" date="{today}"/>',
            1,
        )
    return text


def _copyright() -> str:
    return (
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {APP_NAME}\n\n"
        "Files: *\n"
        "Copyright: The MoeCheck maintainers\n"
        "License: MIT\n\n"
        "Files: opt/moecheck/_internal/*\n"
        "Copyright: The Python Software Foundation, The Qt Company, and the authors of\n"
        " PySide6, requests, urllib3, keyring, SecretStorage, jeepney, cryptography,\n"
        " truststore, certifi, platformdirs, idna and charset-normalizer\n"
        "License: various (PSF-2.0, LGPL-3.0, Apache-2.0, MIT, BSD, MPL-2.0)\n"
    )


def stage(bundle: Path, icons: Path, root: Path) -> None:
    """Lay out the package tree under ``root`` (recreated from scratch)."""
    if root.exists():
        shutil.rmtree(root)
    opt = root / INSTALL_DIR.lstrip("/")
    shutil.copytree(bundle, opt, symlinks=True)
    usr_bin = root / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    for name in EXECUTABLES:
        if not (opt / name).is_file():
            raise BuildError(f"{bundle / name} is missing: freeze the app first")
        (usr_bin / name).symlink_to(f"../..{INSTALL_DIR}/{name}")
    for language in TRANSLATED_LANGUAGES:  # docs/translations.md: the spec's DATAS
        catalogue = opt / "_internal" / "moecheck_gui" / "locale" / language / "LC_MESSAGES"
        if not (catalogue / "moecheck.mo").is_file():
            raise BuildError(f"the bundle has no {language} catalogue ({catalogue}/moecheck.mo)")
    share = root / "usr" / "share"
    apps = share / "applications"
    apps.mkdir(parents=True)
    (apps / f"{APP_ID}.desktop").write_text(
        _desktop_file(ROOT / "resources" / f"{APP_ID}.desktop"), encoding="utf-8"
    )
    hicolor = icons / "hicolor"
    if not hicolor.is_dir():
        raise BuildError(f"{hicolor} is missing: run packaging/make_icons.py first")
    shutil.copytree(hicolor, share / "icons" / "hicolor")
    metainfo = share / "metainfo"
    metainfo.mkdir(parents=True)
    (metainfo / f"{APP_ID}.metainfo.xml").write_text(
        _metainfo(Path(__file__).with_name(f"{APP_ID}.metainfo.xml"), __version__),
        encoding="utf-8",
    )
    doc = share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(_copyright(), encoding="utf-8")
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            path.chmod(0o755 if os.access(path, os.X_OK) else 0o644)


def _installed_size_kib(root: Path) -> int:
    total = sum(p.lstat().st_size for p in root.rglob("*") if not p.is_dir())
    return (total + 1023) // 1024


def write_control(root: Path, depends: list[str], floor: str) -> str:
    """Write DEBIAN/control; returns its text."""
    control = (
        f"Package: {PACKAGE}\n"
        f"Version: {__version__}\n"
        f"Architecture: {ARCH}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {_installed_size_kib(root)}\n"
        f"Depends: {', '.join([f'libc6 (>= {floor})', *depends])}\n"
        "Recommends: gnome-keyring | kwalletmanager\n"
        "Section: utils\n"
        "Priority: optional\n"
        f"Description: {_SUMMARY}\n{_DESCRIPTION}\n"
    )
    debian = root / "DEBIAN"
    debian.mkdir(mode=0o755)
    (debian / "control").write_text(control, encoding="utf-8")
    (debian / "control").chmod(0o644)
    return control


def build_deb(root: Path, out: Path) -> Path:
    """``dpkg-deb --build`` with root-owned files and xz; returns the .deb path."""
    target = out / f"{PACKAGE}_{__version__}_{ARCH}.deb"
    _run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(target)])
    return target


def build_tarball(bundle: Path, icons: Path, out: Path) -> Path:
    """A portable .tar.xz: the bundle plus desktop file, icon and a README."""
    name = f"{PACKAGE}-{__version__}-linux-x86_64"
    target = out / f"{name}.tar.xz"

    def root_owned(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    readme = (
        f"{APP_NAME} {__version__} for Linux (x86-64), portable build\n\n"
        "Run ./moecheck-gui for the window, ./moecheck for the command.\n"
        "Needs glibc and these system libraries (Debian/Ubuntu package names):\n"
        f"  {' '.join(QT_SYSTEM_DEPENDS)}\n"
        "(Fedora/openSUSE/Arch: xcb-util-cursor, libxkbcommon-x11, mesa-libEGL/libglvnd,\n"
        "fontconfig, dbus-libs.) To save API keys you need GNOME Keyring or KWallet.\n"
        "To add it to your menu, copy io.moecheck.MoeCheck.desktop to\n"
        "~/.local/share/applications/ and change Exec= to the full path of moecheck-gui.\n"
    )
    staging = out / ".tar-staging"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    (staging / "README.txt").write_text(readme, encoding="utf-8")
    (staging / f"{APP_ID}.desktop").write_text(
        _desktop_file(ROOT / "resources" / f"{APP_ID}.desktop"), encoding="utf-8"
    )
    svg = icons / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    shutil.copyfile(svg, staging / f"{APP_ID}.svg")
    with tarfile.open(target, "w:xz", preset=6) as tar:
        tar.add(bundle, arcname=name, filter=root_owned)
        for extra in sorted(staging.iterdir()):
            tar.add(extra, arcname=f"{name}/{extra.name}", filter=root_owned)
    shutil.rmtree(staging)
    return target


def main(argv: list[str] | None = None) -> int:
    """Build both artifacts; print what was measured and written."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "moecheck")
    parser.add_argument("--icons", type=Path, default=ROOT / "build" / "icons")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "deb")
    parser.add_argument("--no-tarball", action="store_true", help="build only the .deb")
    args = parser.parse_args(argv)
    try:
        if not args.bundle.is_dir():
            raise BuildError(f"{args.bundle} does not exist: freeze the app first")
        files = elf_files(args.bundle)
        floor = glibc_floor(files)
        depends, mapping = system_depends(args.bundle, files)
        root = args.work / "root"
        stage(args.bundle, args.icons, root)
        control = write_control(root, depends, floor)
        args.out.mkdir(parents=True, exist_ok=True)
        deb = build_deb(root, args.out)
        tarball = None if args.no_tarball else build_tarball(args.bundle, args.icons, args.out)
    except (BuildError, OSError) as exc:
        print(f"build_deb: {exc}", file=sys.stderr)
        return 1
    print(f"glibc floor: {floor} (measured over {len(files)} ELF files)")
    for soname, package in sorted(mapping.items()):
        print(f"  needs {soname} from {package}")
    print(control.rstrip())
    for artifact in (deb, tarball):
        if artifact is not None:
            print(f"{artifact} {artifact.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
