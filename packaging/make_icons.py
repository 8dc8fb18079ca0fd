"""Render resources/moecheck.svg into every icon file the installers need.

Why a script: the icons must never drift from the one SVG the window uses, so
nothing is drawn or exported by hand. Rendering uses PySide6's QSvgRenderer
(QtSvg is part of PySide6-Essentials, already a dependency); the ``.ico`` and
``.icns`` containers are written here in plain Python, so no Pillow, librsvg
or ImageMagick is needed on any build machine.

    python packaging/make_icons.py [--svg resources/moecheck.svg] [--out build/icons]

Writes into OUT:
  hicolor/<N>x<N>/apps/<APP_ID>.png  for N in PNG_SIZES (Linux .deb)
  hicolor/scalable/apps/<APP_ID>.svg (a copy of the source)
  moecheck.ico                       16-256 px; <=48 px as 32-bit BMP, 256 as PNG (Windows)
  moecheck.icns                      16-1024 px PNG entries incl. @2x (macOS)
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moecheck_gui import APP_ID  # noqa: E402 - needs ROOT on sys.path

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
"""hicolor sizes shipped in the .deb (AppStream wants at least 64 and 128)."""
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 256)
"""Windows uses 16/20/24/32/40/48 at the common scale factors, 256 for large views."""
ICO_BMP_MAX = 48
"""Up to this size .ico entries are classic BMPs: every Windows API and Inno Setup reads them."""
ICNS_TYPES = (
    # (OSType, pixel size): Apple's PNG-capable entries, 1x and @2x.
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),  # 16@2x
    (b"icp6", 64),
    (b"ic12", 64),  # 32@2x
    (b"ic07", 128),
    (b"ic13", 256),  # 128@2x
    (b"ic08", 256),
    (b"ic14", 512),  # 256@2x
    (b"ic09", 512),
    (b"ic10", 1024),  # 512@2x
)


class IconError(Exception):
    """The SVG could not be read or rendered; ``str()`` says which file."""


class Renderer:
    """Renders one SVG to RGBA images of any square size (needs a Qt GUI application)."""

    def __init__(self, svg: Path) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtSvg import QSvgRenderer

        self._app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
        self._renderer = QSvgRenderer(str(svg))
        if not self._renderer.isValid():
            raise IconError(f"{svg} is not a valid SVG file")

    def image(self, size: int):  # type: ignore[no-untyped-def] # QImage; Qt imported lazily
        """The icon as a QImage (ARGB32, straight alpha) of ``size`` x ``size`` pixels."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QImage, QPainter

        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self._renderer.render(painter)
        painter.end()
        return image.convertToFormat(QImage.Format.Format_ARGB32)

    def png(self, size: int) -> bytes:
        """The icon as PNG file bytes."""
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice

        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not self.image(size).save(buffer, "PNG"):
            raise IconError(f"could not encode a {size} px PNG")
        buffer.close()
        return bytes(data.data())

    def bmp_dib(self, size: int) -> bytes:
        """The icon as an .ico BMP entry: BITMAPINFOHEADER, BGRA rows bottom-up, AND mask."""
        image = self.image(size)
        header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
        rows = []
        for y in range(size - 1, -1, -1):  # bottom-up
            row = bytearray()
            for x in range(size):
                argb = image.pixel(x, y)
                row += struct.pack("<I", argb)  # little-endian ARGB32 == B, G, R, A bytes
            rows.append(bytes(row))
        mask_stride = ((size + 31) // 32) * 4
        mask = bytearray()
        for y in range(size - 1, -1, -1):
            bits = bytearray(mask_stride)
            for x in range(size):
                if (image.pixel(x, y) >> 24) == 0:  # fully transparent: mask bit set
                    bits[x // 8] |= 0x80 >> (x % 8)
            mask += bits
        return header + b"".join(rows) + bytes(mask)


def write_ico(renderer: Renderer, path: Path) -> None:
    """A Windows .ico with every size in :data:`ICO_SIZES`."""
    entries = []
    for size in ICO_SIZES:
        payload = renderer.bmp_dib(size) if size <= ICO_BMP_MAX else renderer.png(size)
        entries.append((size, payload))
    header = struct.pack("<HHH", 0, 1, len(entries))
    offset = 6 + 16 * len(entries)
    directory = b""
    for size, payload in entries:
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        directory += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(payload), offset)
        offset += len(payload)
    path.write_bytes(header + directory + b"".join(p for _, p in entries))


def write_icns(renderer: Renderer, path: Path) -> None:
    """A macOS .icns made of PNG entries (supported since OS X 10.7; we need 14+)."""
    cache: dict[int, bytes] = {}
    chunks = b""
    for ostype, size in ICNS_TYPES:
        if size not in cache:
            cache[size] = renderer.png(size)
        data = cache[size]
        chunks += ostype + struct.pack(">I", 8 + len(data)) + data
    path.write_bytes(b"icns" + struct.pack(">I", 8 + len(chunks)) + chunks)


def make_icons(svg: Path, out: Path) -> list[Path]:
    """Write every icon file into ``out``; return the paths written."""
    if not svg.is_file():
        raise IconError(f"{svg} does not exist")
    renderer = Renderer(svg)
    written: list[Path] = []
    for size in PNG_SIZES:
        target = out / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(renderer.png(size))
        written.append(target)
    scalable = out / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable)
    written.append(scalable)
    ico = out / "moecheck.ico"
    write_ico(renderer, ico)
    written.append(ico)
    icns = out / "moecheck.icns"
    write_icns(renderer, icns)
    written.append(icns)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints what it wrote, exit 1 with a message on failure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--svg", type=Path, default=ROOT / "resources" / "moecheck.svg")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "icons")
    args = parser.parse_args(argv)
    try:
        written = make_icons(args.svg, args.out)
    except (IconError, OSError) as exc:
        print(f"make_icons: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
