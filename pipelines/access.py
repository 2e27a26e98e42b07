"""Roles and what each may do: one table of capabilities, denied unless the table grants them.

The roles are ordered; a capability names the lowest role that has it, so a higher role has
everything a lower one has by construction (tests/pipelines/test_access.py checks it too).
"""

from __future__ import annotations

from pipelines.errors import UserError

# lowest to highest
ROLES: tuple[str, ...] = ("viewer", "analyst", "steward", "admin")

# capability -> the lowest role that has it; a capability missing here is denied to everyone
CAPABILITIES: dict[str, str] = {
    # viewer: council members and policymakers; disclosure control always on
    "aggregate_pages": "viewer",
    "answers": "viewer",
    # analyst: the explorer, unsuppressed figures, downloads
    "explorer": "analyst",
    "unsuppressed": "analyst",
    "downloads": "analyst",
    # steward: programme staff; data quality with the quarantined values, upload
    "data_quality": "steward",
    "quarantine_values": "steward",
    "upload": "steward",
    # admin: users, audit log, settings, erasure
    "manage_users": "admin",
    "read_audit": "admin",
    "settings": "admin",
    "purge": "admin",
}


class UnknownRole(UserError):
    """A role that is not one of ROLES."""


class AccessDenied(UserError):
    """A role asked for something its capabilities do not include."""


def check_role(role: str) -> str:
    """Return the role if it is known; raise UnknownRole listing the roles otherwise."""
    if role not in ROLES:
        raise UnknownRole(f"Unknown role '{role}' (expected one of: {', '.join(ROLES)}).")
    return role


def rank(role: str) -> int:
    """Return the role's place in ROLES (0 for viewer); raise UnknownRole when unknown."""
    return ROLES.index(check_role(role))


def allowed(role: str | None, capability: str) -> bool:
    """Return whether the role has the capability; False for an unknown role or capability."""
    lowest = CAPABILITIES.get(capability)
    if role not in ROLES or lowest is None:
        return False
    return ROLES.index(role) >= ROLES.index(lowest)


def capabilities(role: str | None) -> frozenset[str]:
    """Return every capability of the role (empty for an unknown role or None)."""
    return frozenset(c for c in CAPABILITIES if allowed(role, c))


def require(role: str | None, capability: str) -> None:
    """Raise AccessDenied unless the role has the capability."""
    if not allowed(role, capability):
        raise AccessDenied(f"The role '{role}' may not use '{capability}'.")
