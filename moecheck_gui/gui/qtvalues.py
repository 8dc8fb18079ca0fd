"""Qt enum values as plain ints, for the few properties set before the first paint.

Why this exists: the first use of PySide6's ``QtCore.Qt`` namespace builds all
of its Python enums at once (``Qt.Key`` alone has about 500 members), which
took 10–12 ms on the benchmark machine: a tenth of a bare form's whole
start-up (docs/benchmarks.md, "Profile"). So the widgets built before the
first paint set these few values through Qt's property system
(:func:`set_props`, ``QObject.setProperty``), which converts the int to the
enum in C++. (Class enums such as ``QComboBox.InsertPolicy`` are cheaper,
0.1–0.8 ms each on first use, but add up; the hot ones are here too.)
Shortcuts go the same way, as strings: ``setShortcut()``'s overload check
also builds the namespace, ``setProperty("shortcut", "Esc")`` does not. Code
that runs later (key handling, results, dialogs) uses ``Qt`` as usual.
``tests/gui/test_startup_imports.py`` compares every value here with the real
enum, so they cannot drift, and checks that building and showing the window
does not touch ``Qt``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

PLAIN_TEXT = 0
"""Qt.TextFormat.PlainText: a label never interprets its text as HTML."""
ALIGN_LEFT = 0x1
"""Qt.AlignmentFlag.AlignLeft"""
ALIGN_RIGHT = 0x2
"""Qt.AlignmentFlag.AlignRight"""
ALIGN_HCENTER = 0x4
"""Qt.AlignmentFlag.AlignHCenter"""
ALIGN_ABSOLUTE = 0x10
"""Qt.AlignmentFlag.AlignAbsolute: left and right are not mirrored in right-to-left layouts"""
ALIGN_TOP = 0x20
"""Qt.AlignmentFlag.AlignTop"""
ALIGN_VCENTER = 0x80
"""Qt.AlignmentFlag.AlignVCenter"""
SELECTABLE_BY_MOUSE = 0x1
"""Qt.TextInteractionFlag.TextSelectableByMouse"""
SELECTABLE_BY_KEYBOARD = 0x2
"""Qt.TextInteractionFlag.TextSelectableByKeyboard"""
TAB_FOCUS = 0x1
"""Qt.FocusPolicy.TabFocus"""
SCROLL_BAR_ALWAYS_OFF = 1
"""Qt.ScrollBarPolicy.ScrollBarAlwaysOff"""
TOOL_BUTTON_TEXT_BESIDE_ICON = 2
"""Qt.ToolButtonStyle.ToolButtonTextBesideIcon"""
WIDGET_SHORTCUT = 0
"""Qt.ShortcutContext.WidgetShortcut"""
IMH_HIDDEN_TEXT = 0x1
"""Qt.InputMethodHint.ImhHiddenText"""
IMH_SENSITIVE_DATA = 0x2
"""Qt.InputMethodHint.ImhSensitiveData"""
IMH_NO_AUTO_UPPERCASE = 0x4
"""Qt.InputMethodHint.ImhNoAutoUppercase"""
IMH_NO_PREDICTIVE_TEXT = 0x40
"""Qt.InputMethodHint.ImhNoPredictiveText"""

COMBO_ADJUST_TO_MIN_LENGTH_WITH_ICON = 2
"""QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon"""
COMBO_NO_INSERT = 0
"""QComboBox.InsertPolicy.NoInsert"""
FORM_ALL_NON_FIXED_FIELDS_GROW = 2
"""QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow"""
FRAME_NO_FRAME = 0
"""QFrame.Shape.NoFrame"""

EXPECTED: dict[str, str] = {
    "PLAIN_TEXT": "QtCore.Qt.TextFormat.PlainText",
    "ALIGN_LEFT": "QtCore.Qt.AlignmentFlag.AlignLeft",
    "ALIGN_RIGHT": "QtCore.Qt.AlignmentFlag.AlignRight",
    "ALIGN_HCENTER": "QtCore.Qt.AlignmentFlag.AlignHCenter",
    "ALIGN_ABSOLUTE": "QtCore.Qt.AlignmentFlag.AlignAbsolute",
    "ALIGN_TOP": "QtCore.Qt.AlignmentFlag.AlignTop",
    "ALIGN_VCENTER": "QtCore.Qt.AlignmentFlag.AlignVCenter",
    "SELECTABLE_BY_MOUSE": "QtCore.Qt.TextInteractionFlag.TextSelectableByMouse",
    "SELECTABLE_BY_KEYBOARD": "QtCore.Qt.TextInteractionFlag.TextSelectableByKeyboard",
    "TAB_FOCUS": "QtCore.Qt.FocusPolicy.TabFocus",
    "SCROLL_BAR_ALWAYS_OFF": "QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff",
    "TOOL_BUTTON_TEXT_BESIDE_ICON": "QtCore.Qt.ToolButtonStyle.ToolButtonTextBesideIcon",
    "WIDGET_SHORTCUT": "QtCore.Qt.ShortcutContext.WidgetShortcut",
    "IMH_HIDDEN_TEXT": "QtCore.Qt.InputMethodHint.ImhHiddenText",
    "IMH_SENSITIVE_DATA": "QtCore.Qt.InputMethodHint.ImhSensitiveData",
    "IMH_NO_AUTO_UPPERCASE": "QtCore.Qt.InputMethodHint.ImhNoAutoUppercase",
    "IMH_NO_PREDICTIVE_TEXT": "QtCore.Qt.InputMethodHint.ImhNoPredictiveText",
    "COMBO_ADJUST_TO_MIN_LENGTH_WITH_ICON": (
        "QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon"
    ),
    "COMBO_NO_INSERT": "QtWidgets.QComboBox.InsertPolicy.NoInsert",
    "FORM_ALL_NON_FIXED_FIELDS_GROW": (
        "QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow"
    ),
    "FRAME_NO_FRAME": "QtWidgets.QFrame.Shape.NoFrame",
}
"""Which PySide6 enum member (``<module>.<class>.<enum>.<member>``) each constant
stands for; tests/gui/test_startup_imports.py checks them."""


def set_props(obj: QObject, **values: object) -> None:
    """Set Qt properties by name; a misspelt name raises instead of silently adding one.

    ``QObject.setProperty`` returns False when the name is not a declared Qt
    property (it then creates a dynamic property, which changes nothing).
    """
    for name, value in values.items():
        if not obj.setProperty(name, value):
            raise AttributeError(f"{type(obj).__name__} has no Qt property {name!r}")
