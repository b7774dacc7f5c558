"""The shape of the code (docs/ARCHITECTURE.md): imports inside functions say why."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["core", "members", "production_units", "invoicing", "payroll", "governance", "reports",
        "portal", "devtools", "smartcoop"]  # fmt: skip


def _python_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _function_level_imports(tree: ast.AST):
    """The import statements whose nearest enclosing scope is a function."""

    def walk(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom) and in_function:
                yield child
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            yield from walk(child, inside)

    yield from walk(tree, False)


def _has_reason(lines: list[str], node: ast.stmt, imports_above: set[int]) -> bool:
    """A comment on the import's first line, or on the line above it; a block of imports
    that follow each other (blank lines between groups allowed) shares the comment above
    its first one."""
    first = node.lineno - 1
    if "#" in lines[first]:
        return True
    above = first - 1
    # up through the block: lines of other imports, and the blank lines between their groups
    while above >= 0 and (above + 1 in imports_above or not lines[above].strip()):
        above -= 1
    return above >= 0 and lines[above].strip().startswith("#")


def test_every_function_level_import_says_why():
    unexplained = []
    for path in _python_files():
        source = path.read_text()
        lines = source.splitlines()
        nodes = list(_function_level_imports(ast.parse(source)))
        # 1-based numbers of every line an import statement covers
        covered = {n for node in nodes for n in range(node.lineno, node.end_lineno + 1)}
        for node in nodes:
            if not _has_reason(lines, node, covered):
                unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not unexplained, (
        "Imports inside functions need a comment saying why (or move them to the top of the "
        "module): " + ", ".join(unexplained)
    )


def test_the_checker_sees_an_unexplained_import():
    tree = ast.parse("def f():\n    import os\n    return os\n")
    (node,) = _function_level_imports(tree)
    assert not _has_reason(["def f():", "    import os", "    return os"], node, {2})
    assert _has_reason(["def f():", "    import os  # lazy: heavy", "    return os"], node, {2})
    block = ast.parse("def f():\n    # lazy: heavy\n    import os\n    import re\n")
    lines = ["def f():", "    # lazy: heavy", "    import os", "    import re"]
    assert all(_has_reason(lines, n, {3, 4}) for n in _function_level_imports(block))
    unexplained = ["def f():", "    x = 1", "    import os", "    import re"]
    assert not any(_has_reason(unexplained, n, {3, 4}) for n in _function_level_imports(block))
