"""Age groups of missing children: one table for the admin's filter and the analytics charts (which import it)."""

from __future__ import annotations

# label -> (youngest, oldest), both included; in order, covering every age a case can have (0-17).
AGE_GROUPS: dict[str, tuple[int, int]] = {"0-5": (0, 5), "6-10": (6, 10), "11-15": (11, 15), "16-17": (16, 17)}


def age_group(age: int | None) -> str | None:
    """The label of the group an age falls in; None when the age is missing or not a child's."""
    if age is None:
        return None
    for label, (youngest, oldest) in AGE_GROUPS.items():
        if youngest <= age <= oldest:
            return label
    return None
