"""The pure packages take plain values: they must not pull in the web app, Flask or the ORM."""

import subprocess
import sys

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
