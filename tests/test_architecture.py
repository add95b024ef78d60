"""The folders name the parts, and imports only ever point down.

``treatments`` is one Django app (one set of models, so revision history and
migrations stay whole) arranged in parts, lowest first:

====================  =====  ====================================================
part                  layer  what it holds
====================  =====  ====================================================
``text``              0      Markdown to safe HTML, HTML to plain text, readability
``media``             0      uploaded pictures: checked, cleaned, served
``models``            1      the domain: treatments, pages, pictures, settings
``content``           2      content files <-> database, editorial checks
``public``            3      what patients see: pages, search, calendar, checklist
``seo``               3      what search engines read: JSON-LD, sitemap, robots
``editorial``         4      staff editing: admin, history, preview
====================  =====  ====================================================

A module may import from its own part and from parts of a lower layer; never from a
higher layer nor from a sibling of the same layer. The app's entry points at its
root (``apps``, ``admin``, ``urls``, ``templatetags``, ``management``) may import any
part, and no part imports them. Nothing in the app imports the project
(``clinic_site``), which wires the app in, not the other way round.

The page cache (``clinic_site/pagecache``) is an app of its own that any Django site
could use: it imports neither ``treatments`` nor the rest of ``clinic_site``, and is
told what to watch by a setting.
"""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "treatments"
PAGE_CACHE_APP = ("clinic_site", "pagecache")

LAYERS = {
    "text": 0,
    "media": 0,
    "models": 1,
    "content": 2,
    "public": 3,
    "seo": 3,
    "editorial": 4,
}
ENTRY_POINTS = {"apps", "admin", "checks", "urls", "templatetags", "management", "migrations"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, absolute, with its line: top-level and in functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # "from treatments.public import views" imports treatments.public.views.
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
            found.append((node.lineno, target))
    return found


def part_of(module: str) -> str | None:
    """The part a ``treatments`` module belongs to, or None for anything else."""
    names = module.split(".")
    if names[0] != "treatments" or len(names) < 2:
        return None
    return names[1]


def app_modules() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "migrations" not in p.parts)


def violations(path: Path) -> list[str]:
    here = part_of(module_name(path))
    if here in ENTRY_POINTS:
        return []
    found, seen = [], set()
    for line, target in imports_of(path):
        there = part_of(target) or target.split(".")[0]
        if there == here or (line, there) in seen:
            continue
        seen.add((line, there))
        where = f"{path.relative_to(REPO)}:{line} imports {target}"
        if there == "clinic_site":
            found.append(f"{where}: the app never imports the project")
        elif part_of(target) is None:
            continue
        elif there in ENTRY_POINTS:
            found.append(f"{where}: no part imports an entry point ({there})")
        elif there not in LAYERS:
            found.append(f"{where}: '{there}' is not a known part; add it to LAYERS")
        elif here not in LAYERS:
            found.append(f"{where}: '{here}' is not a known part; add it to LAYERS")
        elif LAYERS[there] >= LAYERS[here]:
            found.append(
                f"{where}: {here} (layer {LAYERS[here]}) may not import {there} "
                f"(layer {LAYERS[there]})"
            )
    return found


def test_every_folder_of_the_app_is_a_known_part():
    folders = {p.name for p in APP.iterdir() if p.is_dir() and not p.name.startswith("__")}
    unknown = folders - set(LAYERS) - ENTRY_POINTS - {"static", "templates"}
    assert not unknown, f"Folders that are not a part: {sorted(unknown)}; add them to LAYERS"


def test_modules_at_the_root_are_entry_points():
    loose = {
        p.stem for p in APP.glob("*.py") if p.stem != "__init__" and p.stem not in ENTRY_POINTS
    }
    assert not loose, f"Put these in a part: {sorted(loose)}"


@pytest.mark.parametrize("path", app_modules(), ids=lambda p: str(p.relative_to(APP)))
def test_imports_point_down(path):
    assert not violations(path), "\n".join(violations(path))


def fake_module(tmp_path: Path, monkeypatch, name: str, source: str) -> Path:
    """A module ``name`` (a path such as ``treatments/models/bad.py``) holding ``source``,
    in a repository at ``tmp_path`` that the walks read instead of this one."""
    fake = tmp_path / name
    fake.parent.mkdir(parents=True)
    fake.write_text(source)
    monkeypatch.setattr(f"{__name__}.REPO", tmp_path)
    return fake


def test_the_walk_catches_an_upward_import(tmp_path, monkeypatch):
    """A model importing a view must fail, or the test above proves nothing."""
    fake = fake_module(
        tmp_path,
        monkeypatch,
        "treatments/models/bad.py",
        "from treatments.public.views import home\n"
        "from ..editorial import history\n"
        "def late():\n    from clinic_site import urls\n",
    )
    found = violations(fake)
    assert len(found) == 3, found
    assert "models (layer 1) may not import public (layer 3)" in found[0]
    assert "may not import editorial" in found[1]
    assert "never imports the project" in found[2]


def test_siblings_do_not_import_each_other(tmp_path, monkeypatch):
    source = "from treatments.public import checklist\n"
    fake = fake_module(tmp_path, monkeypatch, "treatments/seo/bad.py", source)
    assert any("seo (layer 3) may not import public" in v for v in violations(fake))


def page_cache_violations(path: Path) -> list[str]:
    """Imports of ``path`` (a module of the page cache app) from the site it serves."""
    found = []
    for line, target in imports_of(path):
        names = tuple(target.split("."))
        if names[0] == "treatments" or (names[0] == "clinic_site" and names[:2] != PAGE_CACHE_APP):
            found.append(f"{path.relative_to(REPO)}:{line} imports {target}")
    return found


def page_cache_modules() -> list[Path]:
    return sorted(REPO.joinpath(*PAGE_CACHE_APP).rglob("*.py"))


@pytest.mark.parametrize("path", page_cache_modules(), ids=lambda p: p.name)
def test_the_page_cache_imports_nothing_of_the_site_it_serves(path):
    found = page_cache_violations(path)
    assert not found, "the page cache is told by settings, never imports:\n" + "\n".join(found)


def test_the_page_cache_walk_catches_an_import_of_the_site(tmp_path, monkeypatch):
    fake = fake_module(
        tmp_path,
        monkeypatch,
        "clinic_site/pagecache/bad.py",
        "from clinic_site.pagecache import versions\n"
        "from treatments.models import Treatment\n"
        "def late():\n    from .. import middleware\n    import clinic_site\n",
    )
    found = page_cache_violations(fake)
    lines = {int(violation.split(":")[1].split()[0]) for violation in found}
    # Line 1 imports the app itself; lines 2, 4 (relative: clinic_site.middleware) and 5
    # import the site.
    assert lines == {2, 4, 5}, found
