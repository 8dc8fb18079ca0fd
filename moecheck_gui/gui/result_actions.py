"""What the window does when a check starts and ends, and what the result's buttons do.

Why a part of its own: the window only assembles parts and wires them; the
flow "a check ended: show it, select the DC it was found on, save the key
that worked, move the focus, offer Try all / Keep checking / the proxy
sign-in" is one story, read here from start to end. The same part answers
the result panel's buttons: Copy details, Keep checking (the glue around
:class:`~.keep_checking.KeepChecking`) and its Stop, and hands a proxy's 407
to :class:`~.proxy_sign_in.ProxySignIn`. It also says where checks go
(:meth:`ResultActions.api_base`) and whether a workspace is saved
(:meth:`ResultActions.is_saved`), which the window's Test needs too.

Lifetime: a QObject child of the window that holds its sibling parts (form,
result panel, buttons, flows), never the window itself (no reference cycle,
tests/gui/test_window_lifetime.py); the proxy sign-in, which needs the
window, gets it from the Qt parent. Keep checking, the proxy sign-in and the
core's ``outcome`` module load only when first needed (start-up cost).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFrame, QWidget

from moecheck_gui.datacenters import BY_CODE, dc_label
from moecheck_gui.gui import desktop, errors
from moecheck_gui.gui.credentials_form import AUTO
from moecheck_gui.gui.theme import Tone
from moecheck_gui.i18n import _

if TYPE_CHECKING:
    from moecheck_gui.gui.check_buttons import CheckButtons
    from moecheck_gui.gui.check_flow import CheckFlow, CheckRun
    from moecheck_gui.gui.credentials_form import CredentialsForm
    from moecheck_gui.gui.demo import DemoMode
    from moecheck_gui.gui.keep_checking import KeepChecking
    from moecheck_gui.gui.keychain_flow import KeychainFlow
    from moecheck_gui.gui.main_window import MainWindow
    from moecheck_gui.gui.result_panel import ResultPanel
    from moecheck_gui.outcome import Outcome


class ResultActions(QObject):
    """Shows each check's start, end or crash, and runs the result panel's actions.

    Arguments are the window's parts (explicit, so this can be read and built
    alone); ``parent`` is the window, the only way this part reaches it.

    Attributes: ``keep`` is the running :class:`KeepChecking` loop, or None.

    Signals:
        outcomeShown(object): a check ended and its Outcome is shown (the window
            re-emits it as ``checkFinished``, PRODUCT.md 3.6).
    """

    outcomeShown = Signal(object)

    def __init__(
        self,
        *,
        form: CredentialsForm,
        panel: ResultPanel,
        buttons: CheckButtons,
        check_flow: CheckFlow,
        keychain_flow: KeychainFlow,
        demo: DemoMode | None,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("resultActions")
        self._form = form
        self._panel = panel
        self._buttons = buttons
        self._flow = check_flow
        self._keys = keychain_flow
        self._demo = demo
        self.keep: KeepChecking | None = None

        check_flow.started.connect(self._on_check_started)
        check_flow.tick.connect(panel.set_elapsed)
        check_flow.finished.connect(self._on_check_finished)
        check_flow.finished.connect(self._offer_proxy_sign_in)
        check_flow.crashed.connect(self._on_check_crashed)
        panel.copyRequested.connect(self.copy_details)
        panel.keepCheckingRequested.connect(self.keep_checking)
        panel.keepCheckingStopped.connect(self.stop_keep_checking)

    # ------------------------------------------------------------------ where checks go

    def api_base(self) -> str | None:
        """Where checks go: the demo sandbox, ``MOECHECK_API_BASE`` (read now), or MoEngage."""
        if self._demo:  # the demo workspace typed in may have a listener of its own
            return self._demo.api_base_for(self._form.snapshot().workspace_id)
        return os.environ.get("MOECHECK_API_BASE") or None

    def is_saved(self, workspace_id: str) -> bool:
        """True for a workspace in the saved list (its checks go into the history)."""
        flow = self._keys
        return flow.profiles_loaded and flow.profiles.get(workspace_id.strip()) is not None

    def update_buttons(self, *_: object) -> None:
        """Test while idle and no saved key is loading; Cancel while a check runs."""
        self._buttons.set_busy(self._flow.is_running, loading=self._keys.is_loading)

    def details_edited(self) -> None:
        """The typed details changed: stop the running check, or mark the answer shown stale."""
        if self._flow.is_running:
            self._flow.cancel(
                _(
                    "Stopped because you changed the details. Press Test connection to check "
                    "the new ones."
                )
            )
        else:
            self._panel.mark_stale()

    def workspace_picked(self, _workspace_id: str) -> None:
        """Another saved workspace was picked: stop the running check; the answer is stale."""
        self._flow.cancel()
        self._panel.mark_stale()

    # ------------------------------------------------------------------ a check starts and ends

    def _on_check_started(self, run: CheckRun) -> None:
        self.update_buttons()
        if self.keep is not None and self.keep.owns(run):
            return  # the panel keeps the last answer; the countdown line says it checks again
        where = _("every data center") if run.detect else dc_label(run.dc)
        self._panel.show_running(where, self._flow.timeout)
        self._buttons.set_status("", Tone.INFO)

    def _on_check_finished(self, outcome: Outcome, run: CheckRun) -> None:
        from moecheck_gui.outcome import Kind

        self.update_buttons()
        if outcome.kind == Kind.CANCELLED:  # stopped: show it, leave the focus where it is
            self._panel.show_outcome(outcome)
            self.outcomeShown.emit(outcome)
            return
        from moecheck_gui.gui.keep_checking import offered_for

        offer_try_all = outcome.kind in (Kind.AUTH, Kind.FORBIDDEN) and not run.detect
        self._panel.show_outcome(
            outcome, offer_try_all=offer_try_all, offer_keep=offered_for(outcome)
        )
        if run.history_notice:
            self._buttons.set_status(run.history_notice, Tone.WARNING)
        if outcome.notices:
            self._form.hide_notice()  # the result panel lists them now
        if outcome.ok and run.detect and outcome.dc in BY_CODE:
            form = self._form
            form.quietly(lambda: form.select_dc(outcome.dc or AUTO))
            self._buttons.set_status(
                _("Found the workspace on {dc}; it is now selected.").format(
                    dc=dc_label(outcome.dc)
                ),
                Tone.SUCCESS,
            )
        if outcome.ok and run.typed.remember:
            self._keys.save(
                outcome.workspace_id or run.workspace_id,
                run.secret,
                outcome.dc or run.dc,
                run.typed.label,
            )
        if outcome.kind == Kind.INVALID_INPUT and outcome.field:
            self._form.focus_field(outcome.field)
        else:
            self._panel.setFocus()
        self.outcomeShown.emit(outcome)

    def _offer_proxy_sign_in(self, outcome: Outcome, run: CheckRun) -> None:
        """A proxy asked for a sign-in (407): offer it (gui/proxy_sign_in.py, loaded then)."""
        # Its Qt parent is always the window; a cast, not an import (no import cycle).
        window = cast("MainWindow", self.parent())
        if outcome.http_status == 407 or window.findChild(QFrame, "proxySignInOffer") is not None:
            from moecheck_gui.gui.proxy_sign_in import ProxySignIn

            ProxySignIn.of(window).consider(outcome)

    def _on_check_crashed(self, exc: BaseException, run: CheckRun) -> None:
        """A bug in a worker task: return to idle and show the one error dialog."""
        self.update_buttons()
        self._panel.show_message(
            _("Something went wrong inside MoeCheck"),
            _(
                "The check could not finish because of a problem in MoeCheck itself. "
                "The details are in the window that opened."
            ),
            Tone.ERROR,
        )
        # (the key is still registered: it is redacted)
        errors.report_unexpected(exc, cast("QWidget", self.parent()))

    # ------------------------------------------------------------------ the panel's buttons

    def copy_details(self) -> None:
        """Put the redacted report of the shown outcome on the clipboard."""
        outcome = self._panel.outcome
        if outcome is None:
            return
        desktop.copy_report(
            outcome,
            api_key=self._form.key_edit.text(),
            api_base=self.api_base(),
            demo=self._demo is not None,
        )
        self._panel.show_copied(_("Copied. Paste it into your support ticket or email."))

    def keep_checking(self) -> None:
        """Check the shown details again every 15 s until they work (at most 10 minutes)."""
        outcome = self._panel.outcome
        if outcome is None or self._flow.is_running or self._flow.is_closed:
            return
        from moecheck_gui.gui.keep_checking import KeepChecking

        typed = self._form.snapshot()
        keep = KeepChecking(
            self._flow,
            typed,
            detect=outcome.attempts is not None or typed.dc == AUTO,
            api_base=self.api_base(),
            record=self.is_saved(typed.workspace_id),
            parent=self,
        )
        keep.waiting.connect(self._panel.show_keep_waiting)
        keep.ended.connect(self._on_keep_checking_ended)
        self._form.edited.connect(keep.stop)
        self.keep = keep
        keep.start(outcome)

    def stop_keep_checking(self) -> None:
        """Stop keeping checking (a running try is cancelled)."""
        if self.keep is not None:
            self.keep.stop()

    def _on_keep_checking_ended(self, outcome: Outcome, reason: str) -> None:
        from moecheck_gui.gui.keep_checking import ended_text

        keep, self.keep = self.keep, None
        if keep is None:
            return
        self._form.edited.disconnect(keep.stop)
        keep.deleteLater()
        if not self._flow.is_closed:
            text = ended_text(reason, keep.tries, keep.limit_s)
            self._panel.show_keep_status(text, active=False)
