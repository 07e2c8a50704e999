"""The layers keep to their rooms: the pure packages take plain values (they must not pull in the web app,
Flask or the ORM), and views only adapt HTTP."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import importlib, pkgutil, sys
package = importlib.import_module({package!r})
for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
roots = ("app", "flask", "sqlmodel", "sqlalchemy")
forbidden = sorted(name for name in sys.modules if name.split(".")[0] in roots)
print(",".join(forbidden))
"""


@pytest.mark.parametrize("package", ["matching", "integrations", "emails"])
def test_pure_package_imports_neither_app_flask_nor_orm(package):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(package=package)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


STARTUP_PROBE = """
import sys
from app import create_app
create_app()
print(",".join(sorted({name.split(".")[0] for name in sys.modules} & {"alembic", "mako", "openapi_core"})))
"""


def test_the_app_starts_without_what_only_migrations_and_emulators_need(tmp_path):
    """Every web worker and every `flask` command starts the app: migrations (Alembic, with Mako) and the
    emulators' spec checks (openapi-core) load only when one runs."""
    environment = {"PATH": "", "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/start.db"}
    result = subprocess.run(
        [sys.executable, "-c", STARTUP_PROBE], capture_output=True, text=True, check=True, env=environment,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert result.stdout.strip() == ""


VIEWS = Path(__file__).resolve().parents[2] / "app" / "views"
ORM_PACKAGES = ("sqlmodel", "sqlalchemy")
QUERY_CALLS = {"exec", "execute", "scalar", "scalars", "query"}
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}


def _view_modules() -> dict[str, ast.Module]:
    """Every module under app/views by its dotted name, parsed."""
    modules = {}
    for path in sorted(VIEWS.rglob("*.py")):
        parts = path.relative_to(VIEWS.parents[1]).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return modules


def _imported(tree: ast.Module, known: set[str]) -> set[str]:
    """The modules `tree` imports; `from package import name` counts as the module `package.name` when
    that is one of `known`."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(
                f"{node.module}.{alias.name}"
                for alias in node.names
                if f"{node.module}.{alias.name}" in known
            )
    return names


def _defines_routes(tree: ast.Module) -> bool:
    return any(
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in ROUTE_DECORATORS
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        for decorator in node.decorator_list
    )


def test_views_import_nothing_of_the_orm_and_run_no_queries():
    """Queries and the rules around them live in services; a view reads the request, calls a service and
    renders (a look-up by id goes through app.views.lookups)."""
    offenders = []
    for name, tree in _view_modules().items():
        for imported in _imported(tree, set()):
            if imported.split(".")[0] in ORM_PACKAGES:
                offenders.append(f"{name} imports {imported}")
        for node in ast.walk(tree):
            called = node.func if isinstance(node, ast.Call) else None
            if isinstance(called, ast.Attribute) and called.attr in QUERY_CALLS:
                offenders.append(f"{name} line {node.lineno} calls .{called.attr}()")
    assert offenders == []


def test_no_view_module_imports_a_route_module():
    """Route modules share helper modules (look-ups, downloads, formatting…) and services, never each other;
    only a package's __init__ imports its route modules, to register them."""
    modules = _view_modules()
    routes = {name for name, tree in modules.items() if _defines_routes(tree)}
    packages = {name for name in modules if (VIEWS.parents[1] / name.replace(".", "/")).is_dir()}
    offenders = [
        f"{name} imports {imported}"
        for name, tree in modules.items()
        if name not in packages
        for imported in sorted(_imported(tree, set(modules)) & routes)
    ]
    assert len(routes) > 10  # the check sees the route modules
    assert offenders == []


def test_no_view_module_is_over_250_lines():
    """A longer view module holds more than one area of routes, or something that is no view's."""
    long = {
        path.name: lines
        for path in VIEWS.rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > 250
    }
    assert long == {}


def test_no_module_of_the_app_is_over_400_lines():
    """A longer module holds more than one concern; split it along its seams. Migrations are written once."""
    app = VIEWS.parent
    long = {
        str(path.relative_to(app)): lines
        for path in app.rglob("*.py")
        if "migrations" not in path.parts and (lines := len(path.read_text().splitlines())) > 400
    }
    assert len(list(app.rglob("*.py"))) > 100  # the check sees the whole app
    assert long == {}
