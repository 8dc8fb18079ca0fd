"""The credentials form: workspace ID, Data API key, data center, and "Remember the key".

Why a widget of its own: what the user types, and the small helps around it
(the notice of what will be trimmed, the DC taken from a pasted dashboard
address, the keychain's state on the Remember box), are presentation. The
window only asks for a :class:`TypedCredentials` snapshot when a check starts
and hears :attr:`CredentialsForm.edited` when the user changes something.

Start-up cost: the form is built before the first paint, so it sets Qt enum
properties through :mod:`.qtvalues` and loads the input rules
(:mod:`moecheck_gui.inputs`) only once there is something typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from moecheck_gui.datacenters import (
    DATA_CENTERS,
    DataCenterError,
    dc_from_url,
    dc_label,
    parse_dc,
)
from moecheck_gui.gui import qtvalues, theme
from moecheck_gui.gui.password_edit import PasswordEdit
from moecheck_gui.gui.result_panel import plain_label
from moecheck_gui.gui.theme import Tone
from moecheck_gui.i18n import N_, _, join_sentences

if TYPE_CHECKING:
    from moecheck_gui.keychain import StoreInfo

AUTO = "auto"
"""The DC dropdown's item data for "Detect automatically" (PRODUCT.md 3.6)."""
SPACING = 14
"""Between the form's rows; the same as the window's, so the form sits like the rest."""
# Tooltips and accessible descriptions, in English (marked; translated where shown).
WORKSPACE_TIP = N_(
    "Your workspace ID (also called App ID). In the MoEngage dashboard open "
    "Settings › Account › APIs; it is shown at the top of the page. "
    "You can also paste your dashboard's web address here to pick the data center."
)
KEY_TIP = N_(
    "The Data API key: in the MoEngage dashboard open Settings › Account › APIs and "
    "copy the key from the Data tile. It is sent only to MoEngage and never shown or logged."
)
DC_TIP = N_(
    "The number in your dashboard's web address: dashboard-01.moengage.com is DC-01. "
    "Not sure? Keep Detect automatically, or paste the address here."
)
AUTO_TEXT = N_("Detect automatically (tries every data center)")
"""The DC dropdown's first item (English; shown translated)."""
WORKSPACE_EXAMPLE = "8FJ2K1LQ0ZXY7ABCDE1234"
"""A made-up workspace ID for the placeholder (an ID, never translated)."""


class TypedCredentials(NamedTuple):
    """What the form held at one moment, as typed (the core trims and checks it).

    Immutable, so a running check keeps exactly what was sent even when the
    user edits the form meanwhile. (A NamedTuple: a dataclass costs ~0.5 ms at
    import, before the first paint.) Its ``repr`` never shows the key.
    """

    workspace_id: str
    api_key: str
    dc: str
    """A DC code, or ``"auto"`` (detect)."""
    remember: bool
    """Save the key after a successful check (ticked *and* a keychain is usable)."""
    label: str

    def __repr__(self) -> str:
        """Never shows the key."""
        return f"TypedCredentials({self.workspace_id!r}, dc={self.dc!r})"


def describe(widget: QWidget, name: str, description: str) -> None:
    """Give a control its accessible name, and the same description as tooltip."""
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(description)
    widget.setToolTip(description)


class CredentialsForm(QWidget):
    """The ID, key and DC fields, the input notice, and the Remember row.

    objectNames: ``workspaceIdEdit``, ``apiKeyEdit``, ``dataCenterCombo``,
    ``inputNotice``, ``rememberCheck``, ``profileLabelEdit``, ``rememberStatus``.

    Signals:
        edited(): the user changed the ID, key or DC (not the form itself, see
            :meth:`quietly`); a running check is for other details now.
        statusChanged(str, object): a one-line note and its :class:`Tone` (the
            DC found in a pasted address, an unknown DC typed).
        rememberToggled(bool): the user ticked or cleared "Remember" while a
            keychain is usable (a preference worth keeping).
    """

    edited = Signal()
    statusChanged = Signal(str, object)
    rememberToggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("credentialsForm")
        self._quiet = 0
        """>0 while the form is changed by code (no stale/cancel reaction)."""
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(SPACING)
        column.addLayout(self._build_fields())
        self.input_notice = plain_label(parent=self)
        self.input_notice.setObjectName("inputNotice")
        self.input_notice.setVisible(False)  # until there is something to point out
        column.addWidget(self.input_notice)
        column.addLayout(self._build_remember())
        self._connect()

    # ------------------------------------------------------------------ layout

    def _build_fields(self) -> QFormLayout:
        form = QFormLayout()
        qtvalues.set_props(form, labelAlignment=qtvalues.ALIGN_RIGHT | qtvalues.ALIGN_VCENTER)
        qtvalues.set_props(form, fieldGrowthPolicy=qtvalues.FORM_ALL_NON_FIXED_FIELDS_GROW)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)

        self.workspace_edit = QLineEdit(self)
        self.workspace_edit.setObjectName("workspaceIdEdit")
        # Translators: a field's placeholder; {example} is a made-up workspace ID.
        self.workspace_edit.setPlaceholderText(
            _("e.g. {example}").format(example=WORKSPACE_EXAMPLE)
        )
        self.workspace_edit.setClearButtonEnabled(True)
        describe(self.workspace_edit, _("Workspace ID"), _(WORKSPACE_TIP))

        self.key_edit = PasswordEdit(self, icons=False)  # icon after the first paint
        self.key_edit.setObjectName("apiKeyEdit")
        self.key_edit.setPlaceholderText(_("Paste the key from the Data tile"))
        describe(self.key_edit, _("Data API key"), _(KEY_TIP))

        self.dc_combo = QComboBox(self)
        self.dc_combo.setObjectName("dataCenterCombo")
        self.dc_combo.addItem(_(AUTO_TEXT), AUTO)
        for dc in DATA_CENTERS:
            self.dc_combo.addItem(dc.display_label, dc.code)
        self.dc_combo.setEditable(True)
        qtvalues.set_props(self.dc_combo, insertPolicy=qtvalues.COMBO_NO_INSERT)
        self.dc_combo.setCurrentIndex(0)
        dc_line = self.dc_combo.lineEdit()
        if dc_line is not None:
            dc_line.setPlaceholderText(_("DC number or dashboard address"))
            dc_line.setAccessibleName(_("Data center"))
        describe(self.dc_combo, _("Data center"), _(DC_TIP))

        for text, widget in (
            (_("&Workspace ID"), self.workspace_edit),
            (_("Data API &key"), self.key_edit),
            (_("Data &center"), self.dc_combo),
        ):
            label = QLabel(text, self)
            label.setBuddy(widget)
            label.setToolTip(widget.toolTip())
            form.addRow(label, widget)
        return form

    def _build_remember(self) -> QVBoxLayout:
        self.remember_check = QCheckBox(_("&Remember the key in your keychain"), self)
        self.remember_check.setObjectName("rememberCheck")
        self.remember_check.setEnabled(False)
        describe(
            self.remember_check,
            _("Remember the key"),
            _("Looking for a secure keychain on this computer…"),
        )
        self.label_edit = QLineEdit(self)
        self.label_edit.setObjectName("profileLabelEdit")
        self.label_edit.setPlaceholderText(_("Label, e.g. Prod (optional)"))
        self.label_edit.setMaxLength(40)
        self.label_edit.setMinimumWidth(210)
        self.label_edit.setMaximumWidth(260)
        describe(
            self.label_edit,
            _("Label for this workspace"),
            _("A short name shown in the saved-workspace list, such as Prod or Test."),
        )
        self.label_edit.setEnabled(False)
        self.remember_status = plain_label(parent=self)
        self.remember_status.setObjectName("rememberStatus")
        self.remember_status.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.remember_check)
        row.addStretch(1)
        row.addWidget(self.label_edit)
        column = QVBoxLayout()
        column.setSpacing(4)
        column.addLayout(row)
        column.addWidget(self.remember_status)
        return column

    def tab_chain(self) -> list[QWidget]:
        """The form's controls in Tab order (the window chains them with its own)."""
        return [
            self.workspace_edit,
            self.key_edit,
            self.dc_combo,
            self.remember_check,
            self.label_edit,
        ]

    def _connect(self) -> None:
        self.workspace_edit.textChanged.connect(self._on_workspace_changed)
        self.key_edit.textChanged.connect(self._on_inputs_changed)
        self.dc_combo.currentIndexChanged.connect(self._on_inputs_changed)
        dc_line = self.dc_combo.lineEdit()
        if dc_line is not None:
            dc_line.textEdited.connect(self._on_dc_text_edited)
            dc_line.editingFinished.connect(self._on_dc_editing_finished)
        self.remember_check.toggled.connect(self._on_remember_toggled)

    # ------------------------------------------------------------------ reading

    def snapshot(self) -> TypedCredentials:
        """What is typed now (raw: the core trims and checks it)."""
        return TypedCredentials(
            self.workspace_edit.text(),
            self.key_edit.text(),
            self.current_dc(),
            self.remember_check.isChecked() and self.remember_check.isEnabled(),
            self.label_edit.text(),
        )

    def current_dc(self) -> str:
        """The chosen DC code, or ``"auto"``."""
        data = self.dc_combo.currentData()
        return data if isinstance(data, str) else AUTO

    # ------------------------------------------------------------------ changing

    def select_dc(self, code: str) -> bool:
        """Select a DC (or ``"auto"``) in the dropdown; False if unknown."""
        index = self.dc_combo.findData(code)
        if index < 0:
            return False
        self.dc_combo.setCurrentIndex(index)
        return True

    def quietly(self, change: Callable[[], object]) -> None:
        """Change inputs from code without it counting as the user's edit."""
        self._quiet += 1
        try:
            change()
        finally:
            self._quiet -= 1

    def fill(
        self, workspace_id: str, dc: str, *, key: str | None = None, label: str | None = None
    ) -> None:
        """Fill in a saved or demo workspace (``key=None`` clears the key field;
        ``label=None`` leaves the label as it is)."""
        self.workspace_edit.setText(workspace_id)
        self.select_dc(dc)
        if label is not None:
            self.label_edit.setText(label)
        if key is None:
            self.key_edit.clear()
        else:
            self.key_edit.setText(key)

    def focus_field(self, name: str) -> None:
        """Put the cursor in the field an ``invalid_input`` outcome names."""
        widget = {
            "workspace_id": self.workspace_edit,
            "api_key": self.key_edit,
            "dc": self.dc_combo,
        }.get(name)
        if widget is not None:
            widget.setFocus()

    def hide_notice(self) -> None:
        """The result panel lists the trimming notices now."""
        self.input_notice.setVisible(False)

    def show_icons(self) -> None:
        """The key field's show/hide button (after the first paint)."""
        self.key_edit.show_icons()

    def restyle(self) -> None:
        """Colours follow the palette (light/dark)."""
        self.update_input_notice()

    # ------------------------------------------------------------------ keychain state

    def apply_store_info(self, info: StoreInfo | None, *, demo: bool, remember: bool) -> None:
        """Enable "Remember" for a usable keychain, or say why it is off.

        ``remember`` is the user's saved preference, applied when it can be.
        """
        if demo:
            self.remember_check.setChecked(False)
            self.remember_check.setEnabled(False)
            self.remember_check.setText(_("&Remember the key (not in demo mode)"))
            tip = _("Demo keys are never saved. Start MoeCheck without --demo to save real keys.")
        elif info is None or not info.usable:
            self.remember_check.setChecked(False)
            self.remember_check.setEnabled(False)
            self.remember_check.setText(_("&Remember the key (no secure keychain found)"))
            reason = (
                info.reason
                if info is not None and info.reason
                else _("No secure keychain is available.")
            )
            tip = join_sentences(reason, _("MoeCheck never stores keys anywhere else."))
        else:
            self.remember_check.setEnabled(True)
            # Translators: {keychain} is the keychain's name, e.g. "GNOME Keyring".
            self.remember_check.setText(
                _("&Remember the key in {keychain}").format(keychain=info.name)
            )
            tip = _(
                "After a successful check, save the key in {keychain} so you can pick this "
                "workspace next time. It is stored nowhere else."
            ).format(keychain=info.name)
            if remember:
                self.remember_check.setChecked(True)
        self.remember_check.setToolTip(tip)
        self.remember_check.setAccessibleDescription(tip)
        self.label_edit.setEnabled(self.remember_check.isChecked())

    def show_remember_status(self, text: str, tone: Tone) -> None:
        """A line under "Remember" about the keychain (saved, loaded, forgotten, failed)."""
        colors = theme.tone_colors(tone, self.palette())
        self.remember_status.setStyleSheet(f"color: {colors.fg};")
        self.remember_status.setText(text)
        self.remember_status.setAccessibleDescription(text)
        self.remember_status.setVisible(bool(text))

    def _on_remember_toggled(self, checked: bool) -> None:
        self.label_edit.setEnabled(checked)
        if self.remember_check.isEnabled():
            self.rememberToggled.emit(checked)

    # ------------------------------------------------------------------ reactions

    def _on_workspace_changed(self, text: str) -> None:
        if self._quiet:
            return
        code = dc_from_url(text)
        if code is not None:
            # A dashboard address is not a workspace ID: take its DC, clear the field.
            self.quietly(lambda: self.select_dc(code))
            self.quietly(self.workspace_edit.clear)
            self.statusChanged.emit(
                _(
                    "That is your dashboard's address: it is on {dc}, which is now "
                    "selected. Now enter the workspace ID from Settings › Account › APIs."
                ).format(dc=dc_label(code)),
                Tone.SUCCESS,
            )
        self._on_inputs_changed()

    def _on_dc_text_edited(self, text: str) -> None:
        code = dc_from_url(text)
        if code is not None:
            self.select_dc(code)
            self.statusChanged.emit(
                _("Found {dc} in the pasted address; it is now selected.").format(
                    dc=dc_label(code)
                ),
                Tone.SUCCESS,
            )

    def _on_dc_editing_finished(self) -> None:
        line = self.dc_combo.lineEdit()
        if line is None:
            return
        text = line.text()
        if text == self.dc_combo.itemText(self.dc_combo.currentIndex()):
            return
        typed = text.strip().casefold()
        # "Detect…" in English or the first word of the item in the user's language.
        auto_word = (_(AUTO_TEXT).split() or [""])[0].casefold()
        if typed.startswith("detect") or (auto_word and typed.startswith(auto_word)):
            self.select_dc(AUTO)
            return
        try:
            code = parse_dc(text)
        except DataCenterError as exc:
            self.statusChanged.emit(exc.message, Tone.ERROR)
            line.setText(self.dc_combo.itemText(self.dc_combo.currentIndex()))
            return
        self.select_dc(code)
        line.setText(self.dc_combo.itemText(self.dc_combo.currentIndex()))

    def _on_inputs_changed(self, *_args: object) -> None:
        self.update_input_notice()
        if not self._quiet:
            self.edited.emit()

    def update_input_notice(self) -> None:
        """Point out, before the check, what will be trimmed (a pasted newline, spaces)."""
        if not self.workspace_edit.text() and not self.key_edit.text():
            # Nothing to trim (and no need to import the input rules before the first paint).
            self.input_notice.setText("")
            self.input_notice.setVisible(False)
            return
        from moecheck_gui.inputs import InputError, normalise_credentials

        try:
            _normalised, notices = normalise_credentials(
                self.workspace_edit.text() or "x", self.key_edit.text() or "x"
            )
        except InputError:
            notices = ()
        except Exception:  # noqa: BLE001 - a hint must never break typing
            notices = ()
        self.input_notice.setText(join_sentences(*notices))
        self.input_notice.setVisible(bool(notices))
        colors = theme.tone_colors(Tone.INFO, self.palette())
        self.input_notice.setStyleSheet(f"color: {colors.fg};")
