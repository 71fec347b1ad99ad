"""The package's shape: stage packages with a stated API, small modules, no cycles, strict types.

These are the promises a newcomer relies on when reading the code (README, "How it works");
they are checked here so that they stay true as the code grows.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "audio_guide"
MAX_LINES = 400
STAGES = ("script", "timeline", "audio", "podcast", "pipeline", "engines", "media", "cli")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> list[tuple[str, list[str], int]]:
    """Every import in a module, wherever it sits (functions and TYPE_CHECKING blocks too):
    ``(module imported from, names, line)`` with relative imports resolved."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            found.append((source, [alias.name for alias in node.names], node.lineno))
    return found


def edges(name: str) -> set[str]:
    """The project's modules that ``name`` imports (``from pkg import mod`` counts as ``pkg.mod``)."""
    out = set()
    for source, names, _line in imports(name):
        subs = [f"{source}.{n}" for n in names if f"{source}.{n}" in MODULES]
        out.update(subs)
        if source in MODULES and len(subs) < len(names):
            out.add(source)
        elif source in MODULES and not names:
            out.add(source)
    out.discard(name)
    return out


def test_no_module_is_long() -> None:
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return cycles


def test_no_import_cycles() -> None:
    assert find_cycles({name: edges(name) for name in MODULES}) == []


def test_the_cycle_finder_finds_cycles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: a cycle through a function-level import and a TYPE_CHECKING one is found."""
    pkg = tmp_path / "audio_guide"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from .b import g\n")
    (pkg / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n")
    fake = {module_name(p, tmp_path): p for p in pkg.rglob("*.py")}
    monkeypatch.setattr(sys.modules[__name__], "MODULES", fake)
    graph = {name: edges(name) for name in fake}
    assert find_cycles(graph) == [["audio_guide.a", "audio_guide.b", "audio_guide.a"]]


def test_no_module_imports_another_modules_private_names() -> None:
    private = [(name, line, n) for name in MODULES for source, names, line in imports(name)
               for n in names if n.startswith("_") and not n.startswith("__") and source.startswith("audio_guide")]
    assert private == []


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_says_what_enters_and_leaves_and_exports_its_api(stage: str) -> None:
    package = importlib.import_module(f"audio_guide.{stage}")
    assert package.__doc__ and len(package.__doc__.split()) > 20
    assert package.__all__, stage
    missing = [name for name in package.__all__ if not hasattr(package, name)]
    assert missing == []


def test_the_public_api_is_cheap_and_visible_to_type_checkers() -> None:
    code = ("import sys, audio_guide\n"
            "from audio_guide import build, load_script, Options, publish, plan\n"
            "print(sorted(m for m in ('numpy', 'scipy', 'onnxruntime', 'piper') if m in sys.modules))\n"
            "print(all(n in dir(audio_guide) for n in audio_guide.__all__))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split("\n")[:2] == ["[]", "True"]
    import audio_guide

    for name in audio_guide.__all__:
        assert getattr(audio_guide, name) is not None
    text = (PACKAGE / "__init__.py").read_text(encoding="utf-8")
    listed = {n for source, names, _ in imports("audio_guide") for n in names}
    assert set(audio_guide.__all__) <= listed, "every public name is imported under TYPE_CHECKING"
    loaded_from = {n: source.removeprefix("audio_guide.") for source, names, _ in imports("audio_guide") for n in names
                   if source != "audio_guide.version" and not source.startswith(("typing", "importlib", "__future__"))}
    assert audio_guide._WHERE == loaded_from, "the lazy loader and the type checkers' imports name the same places"
    assert "if TYPE_CHECKING:" in text


def test_mypy_strict_passes() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "-p", "audio_guide"], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
