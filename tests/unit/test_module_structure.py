"""The shape of the code base: no import cycles in `app/` and `workers/`, and every worker job a
service queues exists."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

from app.services.schedule import WorkerJob

ROOT = Path(__file__).resolve().parents[2]


def _modules() -> dict[str, Path]:
    found = {}
    for path in [*ROOT.glob("app/**/*.py"), *ROOT.glob("workers/**/*.py")]:
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Ids of imports under `if TYPE_CHECKING:` (never run, so never a cycle)."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden |= {id(n) for n in ast.walk(node)}
    return hidden


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Herald modules `name` imports, at module level or inside functions."""
    tree = ast.parse(path.read_text())
    hidden = _type_checking_only(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            wanted = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from package import submodule` imports the submodule, not the package's names.
            wanted = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        for target in wanted:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add(target)
    return targets


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_every_worker_job_exists() -> None:
    paths = [v for k, v in vars(WorkerJob).items() if k.isupper()]
    assert paths, "WorkerJob names no job"
    for dotted in paths:
        module, _, func = dotted.rpartition(".")
        assert callable(getattr(importlib.import_module(module), func, None)), dotted


def test_the_worker_does_not_load_the_ai_client() -> None:
    """Every worker process pays for what it imports (~14 MB RSS for the OpenAI client): the
    engine reads settings and sends mail, but never writes captions."""
    probe = "import sys, workers.jobs, workers.worker; print('openai' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"
