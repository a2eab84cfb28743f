"""The knowledge app stands on its own: it imports nothing from the apps built on it and names
none of their modules or models by string (they plug in through their AppConfig instead)."""

import ast
from pathlib import Path

import knowledge

KNOWLEDGE = Path(knowledge.__file__).resolve().parent
OTHER_APPS = ("comparisons", "devtools")


def _modules():
    return [path for path in KNOWLEDGE.rglob("*.py") if "migrations" not in path.parts]


def test_knowledge_imports_no_other_app():
    imports = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            imports += [(path.name, name) for name in names if name.split(".")[0] in OTHER_APPS]
    assert imports == []


def test_knowledge_names_no_other_apps_module_or_model():
    """URL names of the public site ("comparisons:claim-detail") are its addresses, not its
    code; a dotted "comparisons.…" label or module path is code."""
    named = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named += [
                    (path.name, node.value)
                    for app in OTHER_APPS
                    if node.value.startswith(f"{app}.") or f" {app}." in node.value
                ]
    assert named == []
