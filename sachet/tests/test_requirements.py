"""Every library the code imports is declared: the product's in requirements.txt, the tests', benchmarks' and
scripts' in requirements.txt or requirements-dev.txt."""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("sachet", "cases", "media", "notifications", "geocoding", "analytics")
# Installed by scripts/install.sh (and the Dockerfile) with --no-deps on top of dlib-bin, so it cannot be listed.
INSTALLED_APART = {"face-recognition"}


def declared(*files: str) -> set[str]:
    names = set()
    for file in files:
        for line in (ROOT / file).read_text().splitlines():
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
            if match and not line.lstrip().startswith(("#", "-")):
                names.add(normalised(match.group(1)))
    return names


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_distributions(files) -> dict[str, set[str]]:
    """Distribution name -> the files that import one of its modules (standard library and our own left out)."""
    ours = {path.name for path in ROOT.iterdir() if path.is_dir()} | {path.stem for path in ROOT.glob("*.py")}
    distributions = packages_distributions()
    found: dict[str, set[str]] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in ours:
                    continue
                for distribution in distributions.get(top, [top]):
                    found.setdefault(normalised(distribution), set()).add(str(path.relative_to(ROOT)))
    return found


def python_files(*, tests: bool) -> list[Path]:
    files = [path for path in ROOT.rglob("*.py") if ".venv" not in path.parts and "node_modules" not in path.parts]
    in_tests = [path for path in files if path.parts[len(ROOT.parts)] not in APPS or "tests" in path.parts
                or path.name == "conftest.py"]
    return in_tests if tests else [path for path in files if path not in in_tests]


def test_product_code_imports_only_libraries_declared_in_requirements_txt():
    missing = {name: files for name, files in imported_distributions(python_files(tests=False)).items()
               if name not in declared("requirements.txt") | INSTALLED_APART}

    assert missing == {}


def test_tests_benchmarks_and_scripts_import_only_declared_libraries():
    everything = declared("requirements.txt", "requirements-dev.txt") | INSTALLED_APART
    missing = {name: files for name, files in imported_distributions(python_files(tests=True)).items()
               if name not in everything}

    assert missing == {}
