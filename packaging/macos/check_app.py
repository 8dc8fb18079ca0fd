"""Check that every Mach-O file in MoeCheck.app runs on Intel and Apple silicon from macOS 13.

    python packaging/macos/check_app.py dist/MoeCheck.app

A universal2 app is only as universal as its least universal library, and a
library built for a newer macOS than LSMinimumSystemVersion makes the app crash
at start on the older one (dyld refuses it) instead of being refused cleanly by
Finder. PyInstaller already stops on a single-architecture binary when asked
for universal2; this check also reads each slice's minimum macOS (the
LC_BUILD_VERSION or LC_VERSION_MIN_MACOSX load command) and says which file
breaks which rule. It reads the files itself (no lipo, otool or vtool), so the
tests run it on this machine over hand-made Mach-O files.

Exit 0 when every file is fine, 1 otherwise (one line per problem).
"""

from __future__ import annotations

import argparse
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import build_rules  # packaging/ is not a package

CPU_NAMES = {0x01000007: "x86_64", 0x0100000C: "arm64", 7: "i386", 12: "arm"}
REQUIRED_ARCHS = frozenset({"x86_64", "arm64"})
FAT_MAGIC, FAT_MAGIC_64 = 0xCAFEBABE, 0xCAFEBABF
THIN_MAGICS = {0xFEEDFACF: 32, 0xFEEDFACE: 28}  # magic -> header size (64/32-bit)
LC_BUILD_VERSION, LC_VERSION_MIN_MACOSX = 0x32, 0x24
PLATFORM_MACOS = 1


def _version(encoded: int) -> tuple[int, int, int]:
    """Mach-O versions are xxxx.yy.zz in nibbles: 0x000D0000 is 13.0.0."""
    return encoded >> 16, (encoded >> 8) & 0xFF, encoded & 0xFF


def _thin_slice(data: bytes) -> tuple[str, tuple[int, int, int] | None] | None:
    """(architecture, minimum macOS or None) of one thin Mach-O image, or None if it is not one."""
    if len(data) < 28:
        return None
    magic = struct.unpack_from("<I", data)[0]
    header = THIN_MAGICS.get(magic)
    if header is None:
        return None
    cputype, _sub, _filetype, ncmds, _size = struct.unpack_from("<iiIII", data, 4)
    arch = CPU_NAMES.get(cputype & 0xFFFFFFFF, hex(cputype & 0xFFFFFFFF))
    minimum = None
    offset = header
    for _ in range(ncmds):
        if offset + 8 > len(data):
            break
        cmd, cmdsize = struct.unpack_from("<II", data, offset)
        if cmd == LC_BUILD_VERSION and offset + 12 <= len(data):
            platform, minos = struct.unpack_from("<II", data, offset + 8)
            if platform == PLATFORM_MACOS:
                minimum = _version(minos)
        elif cmd == LC_VERSION_MIN_MACOSX:
            minimum = _version(struct.unpack_from("<I", data, offset + 8)[0])
        if cmdsize < 8:
            break
        offset += cmdsize
    return arch, minimum


def slices(data: bytes) -> list[tuple[str, tuple[int, int, int] | None]]:
    """Every (architecture, minimum macOS) in a thin or fat Mach-O file; [] for anything else."""
    if len(data) < 8:
        return []
    magic, count = struct.unpack_from(">II", data)
    if magic in (FAT_MAGIC, FAT_MAGIC_64):
        if count > 16:  # 0xCAFEBABE is also a Java class file (count = its version)
            return []
        found = []
        wide = magic == FAT_MAGIC_64
        entry_format, entry_size = (">iiQQII", 32) if wide else (">iiIII", 20)
        for index in range(count):
            fields = struct.unpack_from(entry_format, data, 8 + index * entry_size)
            start, size = fields[2], fields[3]
            thin = _thin_slice(data[start : start + size])
            if thin:
                found.append(thin)
        return found
    thin = _thin_slice(data)
    return [thin] if thin else []


def problems(app: Path, minimum: str = build_rules.MACOS_MINIMUM) -> Iterator[str]:
    """One line per Mach-O file in ``app`` that misses an architecture or needs a newer macOS."""
    floor = tuple(int(part) for part in minimum.split("."))
    floor = floor + (0,) * (3 - len(floor))
    checked = 0
    for path in sorted(app.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as fh:
            head = fh.read(8)
            if len(head) < 8:
                continue
            if struct.unpack_from(">I", head)[0] not in (FAT_MAGIC, FAT_MAGIC_64) and (
                struct.unpack_from("<I", head)[0] not in THIN_MAGICS
            ):
                continue
            found = slices(head + fh.read())
        if not found:
            continue
        checked += 1
        rel = path.relative_to(app)
        missing = REQUIRED_ARCHS - {arch for arch, _ in found}
        if missing:
            has = ", ".join(arch for arch, _ in found)
            yield f"{rel}: no {' or '.join(sorted(missing))} slice (has {has})"
        for arch, needs in found:
            if needs is not None and needs > floor:
                shown = ".".join(str(n) for n in needs)
                yield f"{rel}: the {arch} slice needs macOS {shown}, newer than {minimum}"
    if checked == 0:
        yield f"{app}: no Mach-O files found"


def main(argv: list[str] | None = None) -> int:
    """Print each problem and exit 1, or a one-line summary and exit 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("app", type=Path, help="the .app bundle (or any folder)")
    parser.add_argument("--minimum", default=build_rules.MACOS_MINIMUM, help="oldest macOS")
    args = parser.parse_args(argv)
    found = list(problems(args.app, args.minimum))
    for line in found:
        print(line)
    if found:
        print(f"check_app.py: {len(found)} problem(s) in {args.app}", file=sys.stderr)
        return 1
    print(f"check_app.py: every Mach-O file in {args.app} is x86_64+arm64, macOS {args.minimum}+")
    return 0


if __name__ == "__main__":
    sys.exit(main())
