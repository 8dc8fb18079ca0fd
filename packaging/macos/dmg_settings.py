"""dmgbuild settings: a drag-to-Applications disk image for MoeCheck.app.

    dmgbuild -s packaging/macos/dmg_settings.py \
        -D app=dist/MoeCheck.app -D icon=build/icons/moecheck.icns \
        "MoeCheck" dist/MoeCheck-<version>-macos-universal.dmg

dmgbuild executes this file with ``defines`` (the -D values) in scope and reads
the module-level names below. The window shows the app on the left and an
Applications link on the right: the universal "drag it over" gesture.

dmgbuild reads only the names it knows and silently ignores any other, so a
misspelt setting does nothing; tests/test_release_build.py checks every name
here against dmgbuild's own list of settings.
"""

# ruff: noqa: F821 - `defines` is injected by dmgbuild
# mypy: ignore-errors
import os.path

application = defines.get("app", "dist/MoeCheck.app")
appname = os.path.basename(application)

# ULMO = LZMA-compressed, read-only; supported since macOS 10.15 (we need 13+).
format = defines.get("format", "ULMO")
filesystem = "APFS"
size = None  # let dmgbuild compute it

files = [application]
symlinks = {"Applications": "/Applications"}
hide_extensions = [appname]  # Finder shows "MoeCheck", not "MoeCheck.app"

icon = defines.get("icon", "build/icons/moecheck.icns")  # the volume icon
icon_locations = {appname: (140, 160), "Applications": (420, 160)}

background = "builtin-arrow"
show_status_bar = False
show_tab_view = False
show_toolbar = False
show_pathbar = False
show_sidebar = False
window_rect = ((200, 200), (560, 340))
default_view = "icon-view"
show_icon_preview = False
arrange_by = None
grid_offset = (0, 0)
label_pos = "bottom"
text_size = 13
icon_size = 96
