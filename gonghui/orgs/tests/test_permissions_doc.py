"""docs/roles-and-scoping.md shows the role × permission table exactly as the code has it."""

from __future__ import annotations

from pathlib import Path

from gonghui.orgs.permissions import ROLE_PERMISSIONS, Perm, Role

DOC = Path(__file__).resolve().parents[3] / "docs" / "roles-and-scoping.md"


def permission_matrix() -> str:
    roles = list(Role)
    lines = [
        "| permission | " + " | ".join(f"`{role.value}`" for role in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for perm in Perm:
        marks = ["✓" if perm in ROLE_PERMISSIONS[role] else "" for role in roles]
        lines.append(f"| `{perm.value}` | " + " | ".join(marks) + " |")
    return "\n".join(lines)


def test_the_documented_matrix_is_the_one_in_the_code() -> None:
    assert permission_matrix() in DOC.read_text(encoding="utf-8"), (
        "Update docs/roles-and-scoping.md with the table printed by "
        "`python -c 'from gonghui.orgs.tests.test_permissions_doc import permission_matrix as m; print(m())'`"
    )
