"""Colours and icons that follow the system's light or dark palette.

Why no stylesheet for the whole app: the platform style (Fusion, Windows,
macOS) already draws native-looking controls, and a global stylesheet would
freeze light-mode colours into a dark desktop. Only the few things that carry
meaning (the result state, the demo banner) get colour, picked per palette
from :data:`TONES` so contrast holds in both modes.

Icons are small inline SVGs tinted at render time and rendered at several
sizes, so they stay crisp at 100–200 % scaling without shipping image files.
The window asks for :func:`app_icon` (seven renderings up to 256 px) only
after its first paint; the header uses one :func:`app_icon_pixmap`.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

# Only QPalette before the first paint (the tone colours); the icon classes,
# like QtSvg, are imported by the functions that render, after that paint.
from PySide6.QtGui import QPalette

if TYPE_CHECKING:
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor, QIcon, QPixmap


class Tone(StrEnum):
    """What a piece of status UI means; picks its colours and icon."""

    SUCCESS = "success"
    ERROR = "error"
    WARNING = "warning"
    NEUTRAL = "neutral"
    INFO = "info"


class ToneColors(NamedTuple):
    """Foreground (text/icon), background and border for one tone in one mode."""

    fg: str
    bg: str
    border: str


TONES: dict[tuple[Tone, bool], ToneColors] = {
    # (tone, dark) -> colours. Foregrounds meet WCAG AA (4.5:1) on their backgrounds.
    (Tone.SUCCESS, False): ToneColors("#0F6B3A", "#E8F6EE", "#9ED5B5"),
    (Tone.SUCCESS, True): ToneColors("#7EE2A8", "#11301F", "#2F6B48"),
    (Tone.ERROR, False): ToneColors("#A4161A", "#FDECEC", "#F1A9AB"),
    (Tone.ERROR, True): ToneColors("#FF9A9A", "#3A1416", "#7A2F33"),
    (Tone.WARNING, False): ToneColors("#8A4B00", "#FFF4E0", "#F2C77E"),
    (Tone.WARNING, True): ToneColors("#FFC870", "#352509", "#7A5716"),
    (Tone.NEUTRAL, False): ToneColors("#3D4550", "#F1F3F5", "#C9CED6"),
    (Tone.NEUTRAL, True): ToneColors("#C9CED6", "#24282E", "#4A515B"),
    (Tone.INFO, False): ToneColors("#0B4F8A", "#E7F1FB", "#A8C8EA"),
    (Tone.INFO, True): ToneColors("#9CCBFF", "#112A44", "#2F5C8A"),
}

BRAND = "#0B7FA8"
"""The teal-blue of the app icon, for the header accent."""


def is_dark(palette: QPalette) -> bool:
    """True when the palette's window background is dark (system dark mode or a dark theme)."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tone_colors(tone: Tone, palette: QPalette) -> ToneColors:
    """The colours for ``tone`` in the palette's mode."""
    return TONES[(tone, is_dark(palette))]


# Stroke icons on a 24×24 grid (Feather-style, MIT-compatible shapes drawn here).
_ICON_PATHS: dict[str, str] = {
    "success": '<circle cx="12" cy="12" r="10"/><path d="M7.5 12.5l3 3 6-6.5"/>',
    "error": '<circle cx="12" cy="12" r="10"/><path d="M15 9l-6 6M9 9l6 6"/>',
    "warning": (
        '<path d="M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z"/>'
        '<path d="M12 9v4M12 17h.01"/>'
    ),
    "neutral": '<circle cx="12" cy="12" r="10"/><path d="M9 9h6v6H9z"/>',
    "info": '<circle cx="12" cy="12" r="10"/><path d="M12 16v-4M12 8h.01"/>',
    "eye": (
        '<path d="M1 12s4-8 11-8 11 8 11 8-4 8-11 8-11-8-11-8z"/><circle cx="12" cy="12" r="3"/>'
    ),
    "eye-off": (
        '<path d="M17.9 17.9A10 10 0 0 1 12 20c-7 0-11-8-11-8a18.5 18.5 0 0 1 5.1-5.9'
        "M9.9 4.2A9 9 0 0 1 12 4c7 0 11 8 11 8a18.5 18.5 0 0 1-2.2 3.2"
        'M14.1 14.1a3 3 0 1 1-4.2-4.2"/>'
        '<path d="M1 1l22 22"/>'
    ),
    "copy": (
        '<rect x="9" y="9" width="13" height="13" rx="2"/>'
        '<path d="M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1"/>'
    ),
    "search": '<circle cx="11" cy="11" r="8"/><path d="M21 21l-4.35-4.35"/>',
}
TONE_ICONS: dict[Tone, str] = {
    Tone.SUCCESS: "success",
    Tone.ERROR: "error",
    Tone.WARNING: "warning",
    Tone.NEUTRAL: "neutral",
    Tone.INFO: "info",
}


def _svg(name: str, color: str) -> bytes:
    body = _ICON_PATHS[name]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
        f'stroke="{color}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">'
        f"{body}</svg>"
    ).encode()


def render_svg(data: bytes, size: int, ratio: float = 1.0) -> QPixmap:
    """Render SVG bytes to a pixmap of ``size`` logical pixels at the given device pixel ratio.

    QtSvg is imported here, on first use, not with this module.
    """
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QImage, QPainter, QPixmap
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(data))
    pixels = max(1, round(size * ratio))
    # Start from zeroed (transparent) pixels; QImage.fill()'s overload check
    # would build the whole Qt namespace (see qtvalues.py). copy() owns the data.
    image = QImage(
        bytes(pixels * pixels * 4), pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied
    ).copy()
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


@cache
def icon(name: str, color: str) -> QIcon:
    """A tinted stroke icon, with pixmaps from 16 to 48 px so every scale factor looks sharp."""
    from PySide6.QtGui import QIcon

    result = QIcon()
    data = _svg(name, color)
    # 16/24/32/48 cover 100–300 % for a 16 px action icon; QIcon scales between
    # them. (Each rendering costs ~0.2 ms, and the eye icon is built before the
    # first paint.)
    for size in (16, 24, 32, 48):
        result.addPixmap(render_svg(data, size))
    return result


def icon_pixmap(name: str, color: str, size: int, ratio: float) -> QPixmap:
    """One tinted icon as a pixmap for a QLabel, rendered for the screen's pixel ratio."""
    return render_svg(_svg(name, color), size, ratio)


def text_color(palette: QPalette) -> str:
    """The palette's normal text colour as ``#rrggbb`` (for tinting icons like text)."""
    return palette.color(QPalette.ColorRole.WindowText).name()


RESOURCE_PACKAGE = "moecheck_gui.resources"
"""The top-level ``resources/`` folder as installed package data (pyproject's package-dir)."""


def _package_resource_dirs() -> list[Path]:
    """``resources/`` as the package :data:`RESOURCE_PACKAGE`: a wheel, sdist or editable install.

    Every install pip makes puts it on disk, so ``importlib.resources`` answers
    with a real folder (an import from a zip file would not; then the other
    places are tried).
    """
    from importlib.resources import files

    try:
        root = files(RESOURCE_PACKAGE)
    except ModuleNotFoundError:
        return []  # a source checkout run without installing, or a frozen bundle
    return [root] if isinstance(root, Path) else []


def resource_dirs() -> list[Path]:
    """Where ``resources/`` may be, in order, for the four ways MoeCheck runs.

    Frozen (PyInstaller puts it at ``sys._MEIPASS/resources``); installed from a
    wheel or sdist, or editable (package data, found by ``importlib.resources``);
    a plain source checkout (the repository's top-level folder).
    """
    dirs: list[Path] = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        dirs.append(Path(frozen) / "resources")
    dirs.extend(_package_resource_dirs())
    checkout = Path(__file__).resolve().parents[2] / "resources"
    if checkout not in dirs:
        dirs.append(checkout)
    return dirs


def resource_path(name: str) -> Path | None:
    """The first existing ``resources/<name>``, or None when the app runs without its resources."""
    for folder in resource_dirs():
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


@cache
def app_icon() -> QIcon:
    """The MoeCheck icon (resources/moecheck.svg), rendered at many sizes; empty if not found."""
    from PySide6.QtGui import QIcon

    path = resource_path("moecheck.svg")
    if path is None:
        return QIcon()
    data = path.read_bytes()
    result = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        result.addPixmap(render_svg(data, size))
    return result


def app_icon_pixmap(size: int, ratio: float) -> QPixmap:
    """The app icon as a crisp pixmap for a header label (empty pixmap if missing)."""
    from PySide6.QtGui import QPixmap

    path = resource_path("moecheck.svg")
    if path is None:
        return QPixmap()
    return render_svg(path.read_bytes(), size, ratio)


def color(value: str) -> QColor:
    """A QColor from ``#rrggbb`` (tiny helper so callers need not import QtGui)."""
    from PySide6.QtGui import QColor

    return QColor(value)


def icon_size(px: int) -> QSize:
    """A square QSize."""
    from PySide6.QtCore import QSize

    return QSize(px, px)
