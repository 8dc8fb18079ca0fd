"""Delivery: what reaches a user who installs MoeCheck, checked the way they get it.

- A wheel (``pip install``/``pipx install`` from a wheel or an sdist) carries
  ``resources/``, and the *installed* code finds the icon and desktop file: the
  sdist and wheel are built here offline with setuptools, installed into a fresh
  virtual environment and asked from there. The other three ways the app runs
  (source checkout, editable install, frozen bundle) are checked too.
- The publisher's name and contact live in ``moecheck_gui/publisher.py`` only;
  the release guard refuses the "unset" sentinel, and every consumer reads it.
- The Windows installer check (``make windows-installer-check``, Inno Setup's
  real compiler under Wine) fails on a broken script. It needs wine and the npm
  package, which ``make package-test`` installs; CI runs that first, so there
  this test runs; on a machine without them it is skipped and says so.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest

from moecheck_gui import APP_ID, __version__, publisher
from moecheck_gui.i18n import TRANSLATED_LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
RESOURCES = ("moecheck.svg", f"{APP_ID}.desktop")
ISCC = ROOT / "build" / "innosetup" / "node_modules" / "innosetup" / "bin" / "ISCC.exe"
ICON = ROOT / "build" / "icons" / "moecheck.ico"


def _run(cmd: list[str], cwd: Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, **kwargs)
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _build(backend_call: str, source: Path, out: Path) -> Path:
    """Run one PEP 517 hook of setuptools in ``source`` (offline: no build isolation)."""
    code = (
        "import sys\nfrom setuptools import build_meta\n"
        f"print(build_meta.{backend_call}(sys.argv[1]))"
    )
    result = _run([sys.executable, "-c", code, str(out)], cwd=source)
    return out / result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the working tree as a fresh clone would have it (no build/, no egg-info)."""
    listed = _run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT
    ).stdout
    copy = tmp_path_factory.mktemp("checkout")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    return copy


@pytest.fixture(scope="module")
def sdist(checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build("build_sdist", checkout, tmp_path_factory.mktemp("sdist"))


@pytest.fixture(scope="module")
def wheel_from_sdist(sdist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What pip does for an sdist: unpack it, build the wheel from the unpacked tree."""
    unpacked = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    (tree,) = unpacked.iterdir()
    return _build("build_wheel", tree, tmp_path_factory.mktemp("wheel-from-sdist"))


def _wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


# ------------------------------------------------------------ wheel and sdist


def test_sdist_carries_the_top_level_resources_folder(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for name in RESOURCES:
        assert f"resources/{name}" in names
    assert "LICENSE" in names


def test_wheels_carry_resources_and_every_module(
    checkout: Path, wheel_from_sdist: Path, tmp_path: Path
) -> None:
    """Both ways pip builds a wheel: from the sdist, and in place (``pip install .``)."""
    direct = _build("build_wheel", checkout, tmp_path)
    modules = {
        path.relative_to(checkout).as_posix()
        for path in (checkout / "moecheck_gui").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    for wheel in (wheel_from_sdist, direct):
        names = _wheel_names(wheel)
        for name in RESOURCES:
            assert f"moecheck_gui/resources/{name}" in names, wheel.name
        # A package left out of pyproject's list would silently vanish from the wheel.
        assert not modules - names, f"{wheel.name} lacks {sorted(modules - names)}"
        # The compiled translations (package data; docs/translations.md).
        for code in TRANSLATED_LANGUAGES:
            assert f"moecheck_gui/locale/{code}/LC_MESSAGES/moecheck.mo" in names, wheel.name


def test_wheel_installed_in_a_fresh_venv_finds_its_icon_and_desktop_file(
    wheel_from_sdist: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    builder = venv.EnvBuilder(with_pip=False)
    builder.create(env_dir)
    context = builder.ensure_directories(env_dir)  # the paths only (bin/ or Scripts\)
    python = Path(context.env_exe)
    purelib = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=tmp_path,
        ).stdout.strip()
    )
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--disable-pip-version-check", str(wheel_from_sdist)],
        cwd=tmp_path,
    )  # fmt: skip
    # The dependencies (PySide6 and friends) come from this test environment,
    # appended after the new venv's own site-packages: offline, and the editable
    # install's finder in there is not activated (only site dirs run .pth files).
    (purelib / "zz_moecheck_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    probe = """
import json
import moecheck_gui
from PySide6.QtWidgets import QApplication
from moecheck_gui.gui import theme
from moecheck_gui import i18n
app = QApplication([])
svg = theme.resource_path("moecheck.svg")
desktop = theme.resource_path("io.moecheck.MoeCheck.desktop")
pixmap = theme.app_icon_pixmap(64, 1.0)
print(json.dumps({
    "package": moecheck_gui.__file__,
    "svg": str(svg), "desktop": str(desktop),
    "icon_null": theme.app_icon().isNull(),
    "centre_alpha": pixmap.toImage().pixelColor(32, 32).alpha(),
    "japanese": (i18n.install("ja"), i18n._("Check stopped")),
}))
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)
    # -I: no current directory on sys.path, so the checkout cannot stand in.
    found = json.loads(
        _run([str(python), "-I", "-c", probe], cwd=tmp_path, env=env).stdout.splitlines()[-1]
    )
    assert Path(found["package"]).is_relative_to(purelib)
    for key, name in (("svg", "moecheck.svg"), ("desktop", f"{APP_ID}.desktop")):
        path = Path(found[key])
        assert path == purelib / "moecheck_gui" / "resources" / name
        assert path.read_bytes() == (ROOT / "resources" / name).read_bytes()
    assert found["icon_null"] is False
    assert found["japanese"] == ["ja", "チェックを停止しました"]  # the wheel's catalogue
    assert found["centre_alpha"] > 0  # the icon rendered, not an empty pixmap
    moecheck = shutil.which("moecheck", path=context.bin_path)
    assert moecheck is not None, "the wheel installed no moecheck command"
    version = _run([moecheck, "--version"], cwd=tmp_path, env=env)
    assert __version__ in version.stdout


# ------------------------------------------------ the other three ways it runs


def test_editable_install_finds_resources_through_importlib_resources() -> None:
    from moecheck_gui.gui import theme

    # This test environment is the editable install `make venv` makes.
    assert theme._package_resource_dirs() == [ROOT / "resources"]
    assert theme.resource_path("moecheck.svg") == ROOT / "resources" / "moecheck.svg"


def test_plain_source_checkout_finds_the_top_level_resources(tmp_path: Path) -> None:
    """Run from a checkout that was never installed: no package data, the folder itself."""
    probe = f"""
import sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__module__.lower()
                    and "editable" not in repr(f).lower()]
sys.path.insert(0, {str(ROOT)!r})
from moecheck_gui.gui import theme
print(theme._package_resource_dirs(), theme.resource_path("moecheck.svg"))
"""
    out = _run([sys.executable, "-I", "-c", probe], cwd=tmp_path).stdout.strip()
    assert out == f"[] {ROOT / 'resources' / 'moecheck.svg'}"


def test_frozen_bundle_resources_come_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moecheck_gui.gui import theme

    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "moecheck.svg").write_bytes(b"<svg/>")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert theme.resource_dirs()[0] == tmp_path / "resources"
    assert theme.resource_path("moecheck.svg") == tmp_path / "resources" / "moecheck.svg"


# ------------------------------------------------------------------ publisher


def _publisher_copy(tmp_path: Path, name: str, contact: str) -> Path:
    text = (ROOT / "moecheck_gui" / "publisher.py").read_text()
    lines = []
    for line in text.splitlines():
        if line.startswith("NAME: str = "):
            line = f"NAME: str = {name}"
        elif line.startswith("CONTACT: str = "):
            line = f"CONTACT: str = {contact}"
        lines.append(line)
    copy = tmp_path / "publisher.py"
    copy.write_text("\n".join(lines) + "\n")
    return copy


def _guard(module: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PACKAGING / "check_publisher.py"), "--module", str(module)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_release_guard_refuses_the_unset_sentinel(tmp_path: Path) -> None:
    result = _guard(_publisher_copy(tmp_path, "UNSET", "UNSET"))
    assert result.returncode == 1
    assert "Release refused" in result.stderr
    assert "NAME is unset" in result.stderr and "CONTACT is unset" in result.stderr


@pytest.mark.parametrize(
    ("name", "contact", "problem"),
    [
        ('"Example Ltd"', "UNSET", "CONTACT is unset"),
        ("UNSET", '"help@moecheck.example.net"', "NAME is unset"),
        ('"Example Ltd"', '"no address"', "is not an e-mail address"),
        ('"Example Ltd"', '"maintainers@moecheck.io"', "placeholder address"),
    ],
)
def test_release_guard_refuses_half_set_or_made_up_contacts(
    tmp_path: Path, name: str, contact: str, problem: str
) -> None:
    result = _guard(_publisher_copy(tmp_path, name, contact))
    assert result.returncode == 1
    assert problem in result.stderr


def test_release_guard_accepts_a_real_publisher(tmp_path: Path) -> None:
    result = _guard(_publisher_copy(tmp_path, '"Example Ltd"', '"support@example-ltd.de"'))
    assert result.returncode == 0, result.stderr
    assert "Example Ltd <support@example-ltd.de>" in result.stdout


def test_release_guard_agrees_with_the_shipped_publisher_module() -> None:
    result = _guard(ROOT / "moecheck_gui" / "publisher.py")
    assert (result.returncode == 0) == publisher.is_set()


def test_release_workflow_runs_the_guard_before_publishing() -> None:
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    steps = workflow["jobs"]["release"]["steps"]
    runs = [str(step.get("run", "")) for step in steps]
    guard = next(i for i, run in enumerate(runs) if "packaging/check_publisher.py" in run)
    publish = next(i for i, run in enumerate(runs) if "gh release" in run)
    assert guard < publish
    build_runs = "\n".join(str(step.get("run", "")) for step in workflow["jobs"]["build"]["steps"])
    assert "packaging/check_publisher.py" in build_runs  # tag builds fail before building


def test_every_consumer_reads_the_publisher_from_one_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sys.path.insert(0, str(PACKAGING / "linux"))
    try:
        import build_deb
    finally:
        sys.path.remove(str(PACKAGING / "linux"))
    assert build_deb.MAINTAINER == publisher.maintainer()
    source = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"
    assert "<developer id" not in source.read_text()  # filled in at build time only
    monkeypatch.setattr(publisher, "NAME", "Example & Co")
    monkeypatch.setattr(publisher, "CONTACT", "support@example-co.de")
    metainfo = build_deb._metainfo(source, __version__)
    assert "<name>Example &amp; Co</name>" in metainfo
    assert "<update_contact>support@example-co.de</update_contact>" in metainfo
    assert publisher.maintainer() == "Example & Co <support@example-co.de>"
    iss = (PACKAGING / "windows" / "moecheck.iss").read_text()
    assert "AppPublisher={#AppPublisher}" in iss and "VersionInfoCompany={#AppPublisher}" in iss
    assert "AppContact={#AppContact}" in iss
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    assert '"/DAppPublisher=$publisher"' in workflow
    spec = (PACKAGING / "moecheck.spec").read_text()
    assert 'vi.StringStruct("CompanyName", publisher.display_name())' in spec
    # The made-up domain is gone from everything that ships.
    for path in [*(PACKAGING / "linux").iterdir(), *(PACKAGING / "windows").iterdir()]:
        assert "moecheck.io" not in path.read_text(), path


def test_about_dialog_names_the_publisher(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QLabel

    from moecheck_gui.gui.about import AboutDialog

    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    label = dialog.findChild(QLabel, "aboutPublisher")
    assert label is not None
    if publisher.is_set():
        assert label.text() == f"Published by {publisher.NAME} · {publisher.CONTACT}"
    else:
        assert label.text() == "Published by publisher not set"

    monkeypatch.setattr(publisher, "NAME", "Example Ltd")
    monkeypatch.setattr(publisher, "CONTACT", "support@example-ltd.de")
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    label = dialog.findChild(QLabel, "aboutPublisher")
    assert label is not None
    assert label.text() == "Published by Example Ltd · support@example-ltd.de"


# ---------------------------------------------------- Windows installer check


@pytest.mark.skipif(
    not (ISCC.is_file() and ICON.is_file() and shutil.which("wine")),
    reason="needs wine and Inno Setup's ISCC.exe: run `make windows-installer-check` first",
)
def test_windows_installer_check_fails_on_a_broken_script(tmp_path: Path) -> None:
    iss = (PACKAGING / "windows" / "moecheck.iss").read_text()
    broken = tmp_path / "broken.iss"
    broken.write_text(iss.replace("[Code]\n", "[Code]\nthis is not Pascal;\n", 1))
    env = dict(os.environ)
    prefix = ROOT / "build" / "windows-installer-check" / "wineprefix"
    if (prefix / "system.reg").is_file():
        env["WINEPREFIX"] = str(prefix)  # reuse the prefix make made: saves ~15 s
    result = subprocess.run(
        [str(PACKAGING / "windows" / "compile_check.sh"), str(ISCC), str(ICON),
         str(tmp_path / "work"), str(broken)],
        capture_output=True, text=True, check=False, env=env, timeout=300,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Compile aborted" in result.stdout
    assert "FAIL: ISCC.exe exited with" in result.stderr
