"""The window's language: the same gettext catalogues as the command, plus Qt's own words.

Why here and not in each widget: the language is chosen once, before the
window is built (``gui/app.py`` calls :func:`install_translations`), from the
saved choice in ``window.ini`` (Help › Language…), else the system's language
(:func:`moecheck_gui.i18n.choose_language`). Our own strings come from
:mod:`moecheck_gui.i18n`; only Qt's built-in strings (standard dialog buttons,
the line edit's context menu) come from the ``qtbase_<lang>.qm`` file PySide6
ships, loaded with a QTranslator. Arabic lays the window out right to left.

Start-up cost: for English nothing is loaded (no catalogue, no translator, no
``Qt`` namespace); a translated language reads one ``.mo`` and one ``.qm`` file.
The layout direction is set through the application's ``layoutDirection``
property with a plain int (:data:`RIGHT_TO_LEFT`): touching ``Qt.LayoutDirection``
would build PySide6's whole ``Qt`` namespace (see ``gui/qtvalues.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from moecheck_gui import i18n

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication, QSettings

LANGUAGE_KEY = "ui/language"
"""The ``window.ini`` key of the saved choice: a code of :data:`i18n.LANGUAGES`, or absent."""

RIGHT_TO_LEFT = 1
"""Qt.LayoutDirection.RightToLeft (tests/gui/test_i18n_qt.py compares it with the enum)."""


def _settings(path: Path | None = None) -> QSettings:
    from PySide6.QtCore import QSettings

    from moecheck_gui.gui.window_settings import settings_path

    return QSettings(str(path or settings_path()), QSettings.Format.IniFormat)


def saved_language(path: Path | None = None) -> str | None:
    """The language chosen in Help › Language…, or None for "System default"."""
    value = _settings(path).value(LANGUAGE_KEY)
    return value if isinstance(value, str) and value in i18n.LANGUAGES else None


def save_language(language: str | None, path: Path | None = None) -> None:
    """Remember ``language`` (None: follow the system) for the next start."""
    settings = _settings(path)
    if language:
        settings.setValue(LANGUAGE_KEY, language)
    else:
        settings.remove(LANGUAGE_KEY)
    settings.sync()


def qt_translations_dir() -> Path | None:
    """Where PySide6 keeps ``qtbase_*.qm`` (QLibraryInfo, else next to the PySide6 package)."""
    from PySide6.QtCore import QLibraryInfo

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    if folder.is_dir():
        return folder
    import PySide6

    for candidate in (
        Path(PySide6.__file__).parent / "Qt" / "translations",
        Path(PySide6.__file__).parent / "translations",
    ):
        if candidate.is_dir():
            return candidate
    return None


def install_qt_translator(app: QCoreApplication, language: str) -> bool:
    """Load Qt's own ``qtbase_<language>.qm`` into ``app``; False when there is none.

    (PySide6 ships no ``qtbase_id.qm``: Indonesian windows show Qt's few
    built-in words, such as standard button names we do not set ourselves, in
    English.)
    """
    if language == i18n.SOURCE_LANGUAGE:
        return False
    folder = qt_translations_dir()
    if folder is None:
        return False
    from PySide6.QtCore import QTranslator

    translator = QTranslator(app)  # a child of the application: lives as long as it
    if not translator.load(f"qtbase_{language}", str(folder)):
        translator.deleteLater()
        return False
    return app.installTranslator(translator)


def install_translations(app: QCoreApplication, setting: str | None = None) -> str:
    """Make the window's language active; return its code.

    ``setting`` defaults to the saved choice (:func:`saved_language`).
    Must run before any widget is built: texts are translated when widgets
    are made (a change takes effect at the next start, as the dialog says).
    """
    language = i18n.install(saved_language() if setting is None else setting)
    if language == i18n.SOURCE_LANGUAGE:
        return language
    install_qt_translator(app, language)
    if i18n.is_right_to_left(language):
        app.setProperty("layoutDirection", RIGHT_TO_LEFT)
    return language
