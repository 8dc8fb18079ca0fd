"""MoeCheck's data files: the app icon and the desktop entry.

This folder stays at the top of the repository, where packaging/ builds the
installers' icons from it; pyproject.toml maps it into the installed package as
``moecheck_gui.resources`` so wheels and sdists carry it too. This file makes
it a regular package, so ``importlib.resources`` finds it the same way in a
wheel and in an editable install (gui/theme.py: ``resource_path``).
"""
