"""The type stubs (_allot.pyi) describe the module as built, and everything public has a
docstring."""

from __future__ import annotations

import ast
import inspect
import pathlib

import allot
from allot import _allot

STUB = pathlib.Path(_allot.__file__).with_name("_allot.pyi")
# Names the stub defines for typing only, not present at runtime.
TYPING_ONLY = {"ConfigLike", "EventLike"}


def stub_names() -> tuple[set[str], dict[str, set[str]]]:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    names: set[str] = set()
    members: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets)
        if isinstance(node, ast.ClassDef):
            members[node.name] = {
                n.name if isinstance(n, ast.FunctionDef) else n.target.id
                for n in node.body if isinstance(n, (ast.FunctionDef, ast.AnnAssign))}
    return names, members


def runtime_members(cls: type) -> set[str]:
    own = set(vars(cls))
    return {n for n in own if not n.startswith("__") or n in {
        "__init__", "__copy__", "__deepcopy__", "__eq__", "__getstate__", "__setstate__"}}


def test_stub_lists_exactly_the_module():
    names, members = stub_names()
    runtime = {n for n in vars(_allot) if not (n.startswith("__") and n != "__version__")}
    assert names - TYPING_ONLY == runtime
    for cls in ("State", "Engine"):
        assert members[cls] == runtime_members(getattr(_allot, cls)), cls
    assert members["Error"] == {"code"}


def test_stub_signatures_name_the_runtime_parameters():
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef) or node.name not in ("Engine", "State"):
            continue
        for f in node.body:
            if not isinstance(f, ast.FunctionDef) or f.name.startswith("__"):
                continue
            attr = inspect.getattr_static(getattr(_allot, node.name), f.name)
            if isinstance(attr, property):
                continue
            doc = getattr(getattr(_allot, node.name), f.name).__doc__ or ""
            params = [a.arg for a in f.args.args if a.arg != "self"]
            assert f"{f.name}(" in doc
            for p in params:
                assert f"{p}:" in doc.splitlines()[0], (node.name, f.name, p)
    for f in ("replay", "validate", "parse_config"):
        node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == f)
        signature = getattr(_allot, f).__doc__.splitlines()[0]
        for a in node.args.args + node.args.kwonlyargs:
            assert f"{a.arg}:" in signature, (f, a.arg)


def test_everything_public_has_a_docstring():
    for name in allot.__all__:
        obj = getattr(allot, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), name
    for cls in (allot.Engine, allot.State):
        for name, member in vars(cls).items():
            if name.startswith("_"):
                continue
            doc = (member.fget if isinstance(member, property) else getattr(cls, name)).__doc__
            assert doc and len(doc.strip()) > 20, (cls.__name__, name)
    assert allot.Decision.__doc__ and allot.Error.__doc__
