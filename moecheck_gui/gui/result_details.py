"""The result panel's details: the stage timeline and the rows support and IT ask for.

What is shown, in order: the stage timeline (:mod:`.timeline_view`) when the
check reached the network; then rows: HTTP status, MoEngage's message, error
type, request ID, Retry-After, server, data center, time taken, data centers
tried; the certificate on a TLS failure (the problem in words, issuer, issued
to, names, valid from/until); who answered for a web page that spoke in
MoEngage's place (page title, ``Server`` header, what that looks like); the
proxy used and why; when a rejected key last worked; technical detail.

Why a module of its own: the panel stays about states, and this one (with the
certificate and web-page helpers of the core) is loaded only when a finished
check's details are filled, never before the window's first paint.

Every value here may come from the network (page titles, Server headers,
certificate names), so every label is a plain-text label
(:func:`plain_label`, like the panel's own); the core has already cleaned the text.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from moecheck_gui.datacenters import dc_label
from moecheck_gui.gui.timeline_view import format_ms
from moecheck_gui.i18n import (
    N_,
    _,
    format_list,
    format_number,
    format_seconds,
    ngettext,
    pgettext,
)

if TYPE_CHECKING:
    from moecheck_gui.outcome import CertificateInfo, Outcome

CERT_PROBLEM_WORDS: dict[str, str] = {
    "untrusted_issuer": N_("Issued by an authority this computer does not trust"),
    "self_signed": N_("Self-signed: nothing vouches for it"),
    "expired": N_("Expired"),
    "not_yet_valid": N_("Not valid yet"),
    "name_mismatch": N_("Made for other names than the server's"),
    "other": N_("Could not be verified"),
}
"""``certificate.problem`` in words (PRODUCT.md 3.4 lists the values; English, shown translated)."""

SOURCE_WORDS: dict[str, str] = {
    "env": N_("set by the proxy environment variables"),
    "pac": N_("chosen by a PAC file"),
    "system": N_("this computer's proxy setting"),
}
"""``proxy_source`` in words (English; shown translated)."""
MAX_NAMES = 12
"""Certificate names listed before "and N more"."""
NO_TIMELINE_KINDS = frozenset({"invalid_input", "cancelled"})


def format_date(iso: str | None) -> str | None:
    """A certificate date for people: ``"2024-05-01 12:00 UTC"`` (ISO text as it came otherwise)."""
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return moment.strftime("%Y-%m-%d %H:%M") + (" UTC" if moment.utcoffset() is not None else "")


def certificate_rows(info: CertificateInfo) -> list[tuple[str, str]]:
    """The certificate rows: the problem in words, issuer (and the product it is), names, dates."""
    from moecheck_gui.certificates import inspection_product

    problem = CERT_PROBLEM_WORDS.get(info.problem)
    rows = [(_("Certificate problem"), _(problem) if problem else info.problem)]
    if info.issuer:
        product = inspection_product(info)
        issuer = info.issuer
        if product:
            # Translators: {issuer} is the certificate's issuer, {product} e.g. "Zscaler".
            issuer = _("{issuer} ({product}: a product that inspects encrypted traffic)").format(
                issuer=issuer, product=product
            )
        rows.append((_("Issued by"), issuer))
    if info.subject:
        rows.append((_("Issued to"), info.subject))
    if info.names:
        names = format_list(info.names[:MAX_NAMES])
        if len(info.names) > MAX_NAMES:
            more = len(info.names) - MAX_NAMES
            names = ngettext("{names} and {n} more", "{names} and {n} more", more).format(
                names=names, n=format_number(more)
            )
        rows.append((_("Names"), names))
    for caption, value in ((_("Valid from"), info.not_before), (_("Valid until"), info.not_after)):
        shown = format_date(value)
        if shown:
            rows.append((caption, shown))
    return rows


def answered_by_rows(outcome: Outcome) -> list[tuple[str, str]]:
    """Who answered, when something else answered in MoEngage's place (a ``proxy`` verdict
    with an HTTP status: a web page, a proxy's refusal) or the answer was a web page."""
    not_judged = outcome.kind == "proxy" and outcome.http_status is not None
    if outcome.ok or not (outcome.page_title or not_judged):
        return []
    if not (outcome.page_title or outcome.server_header):
        return []
    from moecheck_gui.webpage import known_sender

    rows = []
    if outcome.page_title:
        rows.append((_("Page title"), outcome.page_title))
    if outcome.server_header:
        rows.append((_("Server header"), outcome.server_header))
    known = known_sender(outcome.server_header, outcome.page_title)
    if known:
        rows.append((_("Looks like"), known))
    return rows


def proxy_rows(outcome: Outcome) -> list[tuple[str, str]]:
    """The proxy used and why; "none" when the check went out directly."""
    if outcome.proxy:
        source = SOURCE_WORDS.get(outcome.proxy_source or "")
        why = outcome.proxy_why or (_(source) if source else "")
        rows = [(_("Proxy"), outcome.proxy)]
        if why:
            rows.append((_("Why this proxy"), why))
        return rows
    if outcome.proxy_why:
        return [(_("Proxy"), _("none (direct connection)")), (_("Why"), outcome.proxy_why)]
    if outcome.host:
        return [(_("Proxy"), _("none (direct connection)"))]
    return []


def detail_rows(outcome: Outcome) -> list[tuple[str, str]]:
    """The details area's rows, in the order support asks for them; empty values are skipped."""
    from moecheck_gui.outcome import describe_attempt

    rows: list[tuple[str, str]] = []
    if outcome.http_status is not None:
        rows.append((_("HTTP status"), str(outcome.http_status)))
    if outcome.server_message:
        # MoEngage's own words, never translated (the caption says whose they are).
        rows.append((_("MoEngage message"), outcome.server_message))
    if outcome.server_error_type:
        rows.append((_("Error type"), outcome.server_error_type))
    if outcome.request_id:
        rows.append((_("Request ID"), outcome.request_id))
    if outcome.retry_after_s is not None:
        rows.append((_("Retry after"), format_seconds(outcome.retry_after_s)))
    if outcome.previously_worked_at:
        from moecheck_gui.history import format_when

        rows.append(
            (
                _("Last worked"),
                _("{when} (this key)").format(when=format_when(outcome.previously_worked_at)),
            )
        )
    if outcome.host:
        rows.append((_("Server"), outcome.host))
    if outcome.dc:
        rows.append((_("Data center"), dc_label(outcome.dc)))
    rows.append((_("Time taken"), format_ms(outcome.elapsed_ms)))
    if outcome.attempts:
        tried = []
        for code, attempt in outcome.attempts.items():
            result = describe_attempt(attempt, found=outcome.ok)
            tried.append(f"DC-{code}: {result}")
        rows.append((_("Data centers tried"), format_list(tried)))
    if outcome.certificate is not None:
        rows += certificate_rows(outcome.certificate)
    rows += answered_by_rows(outcome)
    rows += proxy_rows(outcome)
    if outcome.detail:
        rows.append((_("Technical detail"), outcome.detail))
    return rows


def has_timeline(outcome: Outcome) -> bool:
    """True when the check reached the network: some stage took time, or one failed."""
    if outcome.kind in NO_TIMELINE_KINDS:
        return False
    t = outcome.timings
    stages = (t.dns_ms, t.connect_ms, t.tls_ms, t.first_byte_ms)
    return outcome.failed_stage is not None or any(v is not None for v in stages)


def text_lines(outcome: Outcome) -> list[str]:
    """Everything the details show, as text lines (the panel's :meth:`text`)."""
    # Translators: a details row as text: "Request ID: abc123".
    lines = [
        _("{name}: {value}").format(name=name, value=value) for name, value in detail_rows(outcome)
    ]
    if has_timeline(outcome):
        from moecheck_gui.gui.timeline_view import build_rows

        rows, _span = build_rows(outcome.timings, outcome.failed_stage)
        # Translators: the separator between the stages of the timeline read as one line.
        stages = pgettext("list separator", "; ").join(row.spoken() for row in rows)
        lines += [_("{name}: {value}").format(name=_("Stages"), value=stages)]
    return lines


def fill(container: QWidget, grid: QGridLayout, outcome: Outcome) -> None:
    """Replace the details in ``container`` (laid out by ``grid``) with ``outcome``'s."""
    for child in container.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        grid.removeWidget(child)
        child.hide()
        child.deleteLater()
    row = 0
    if has_timeline(outcome):
        from moecheck_gui.gui.timeline_view import TimelineView

        caption = _caption(_("Stages"), container)
        timeline = TimelineView(outcome.timings, outcome.failed_stage, container)
        grid.addWidget(caption, row, 0)
        grid.addWidget(timeline, row, 1)
        row += 1
    for name, value in detail_rows(outcome):
        field = plain_label(value, container, selectable=True)
        field.setAccessibleName(name)
        field.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        grid.addWidget(_caption(name, container), row, 0)
        grid.addWidget(field, row, 1)
        row += 1
    # Spare height (a tall window) goes below the last row, not into the rows themselves,
    # where it pushed each value away from its caption.
    for index in range(grid.rowCount()):
        grid.setRowStretch(index, 0)
    grid.setRowStretch(row, 1)


def plain_label(text: str, parent: QWidget, *, selectable: bool = False) -> QLabel:
    """A word-wrapped label that never reads its text as HTML (as the panel's ``plain_label``;
    not imported from there, which would make the two modules import each other)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # before any text is set
    label.setWordWrap(True)
    label.setText(text)
    if selectable:
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        if label.isRightToLeft():  # a Latin value starts right too (see result_panel's)
            label.setAlignment(
                Qt.AlignmentFlag.AlignRight
                | Qt.AlignmentFlag.AlignAbsolute
                | Qt.AlignmentFlag.AlignTop
            )
        else:
            # Top, beside its caption, even when the grid gives the row more height
            # than the wrapped text needs.
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


def _caption(name: str, parent: QWidget) -> QLabel:
    caption = plain_label(name, parent)
    caption.setWordWrap(False)
    # Leading/top: Qt mirrors AlignLeft to the right in right-to-left layouts.
    caption.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignTop)
    return caption
