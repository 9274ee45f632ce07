"""Compile the translation catalogues (locale/<lang>/LC_MESSAGES/*.po) into the .mo files Django reads.

The same result as Django's `compilemessages`, in pure Python (polib), so that installing and running Sachet does
not need GNU gettext from apt. Fuzzy and untranslated messages are left out, as msgfmt leaves them out; the test
suite fails on either (sachet/tests/test_catalogues.py). Only catalogues newer than their .mo are compiled.

Run: .venv/bin/python scripts/compilemessages.py [--force]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_catalogues(locale_dir: Path = LOCALE_DIR, *, force: bool = False) -> list[Path]:
    """Write a .mo beside every .po that is newer than it (or every one, with force); the .mo files written."""
    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalogue = polib.pofile(str(po_path))
        temporary = mo_path.with_suffix(".mo.tmp")
        catalogue.save_as_mofile(str(temporary))
        temporary.replace(mo_path)  # a running server never reads a half-written file
        written.append(mo_path)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="compile every catalogue, even those up to date")
    options = parser.parse_args()
    for path in compile_catalogues(force=options.force):
        print(f"compiled {path.relative_to(LOCALE_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
