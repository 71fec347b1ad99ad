"""Refresh ``constraints.txt``: the known-good versions the test command installs.

The library's own ranges stay loose for users (``pyproject.toml``); the test command pins
every package to what was last tried together, so an upstream release cannot turn CI red
overnight. Refresh on purpose: run this, run the tests, and commit the new file with the
changes it prints (they are also written into the file's header).

    python tools/refresh_constraints.py
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "constraints.txt"


def pins(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "==" in line:
            name, _, version = line.partition("==")
            found[name.lower()] = version.split(";")[0].strip()
    return found


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip"]
        subprocess.run([*pip, "install", "-q", f"{ROOT}[test]"], check=True)
        frozen = subprocess.run([*pip, "freeze", "--exclude", "audio-guide"], check=True, capture_output=True,
                                text=True).stdout
    new = pins(frozen)
    old = pins(TARGET.read_text(encoding="utf-8")) if TARGET.is_file() else {}
    changes = [f"{n} {old.get(n, '-')} -> {new.get(n, '-')}" for n in sorted(set(old) | set(new))
               if old.get(n) != new.get(n)]
    header = [
        "# Known-good versions for the test command (pip install -c constraints.txt -e '.[test]').",
        "# Users get pyproject.toml's loose ranges; CI gets exactly these. Refresh on purpose with",
        "# python tools/refresh_constraints.py, run the tests, and commit.",
        f"# Refreshed {dt.date.today().isoformat()} on Python {sys.version.split()[0]}; changes:",
        *(f"#   {c}" for c in (changes if old else ["(first version)"]) or ["(none)"]),
    ]
    TARGET.write_text("\n".join(header) + "\n" + "".join(f"{n}=={v}\n" for n, v in sorted(new.items())),
                      encoding="utf-8")
    print("\n".join(changes) or "no changes")


if __name__ == "__main__":
    main()
