"""The domain exception hierarchy. One place (the HTTP layer) maps these to status codes.

::

    SmeInsureError
    ├── ConfigurationError (ValueError)        product or table files that do not validate
    │   └── TableError                          a rating table that is malformed
    ├── NotFoundError (LookupError)             unknown product, version, table, policy, ...
    ├── InputError (ValueError)                 bad input; carries a list of Issue
    │   ├── RatingInputError                    a risk that cannot be rated (unknown level, range, ...)
    │   └── IdentifierError                     an ID number or code whose check character fails
    ├── StateError (RuntimeError)               an illegal transition (bind a declined quote, ...)
    ├── ConflictError                           idempotency-key reuse with another body, concurrent write
    └── PermissionDenied                        a role that may not do this

Each subclass stays catchable as the built-in it refines, as scikit-learn does with
``NotFittedError(ValueError, AttributeError)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with one value: where it is, what it was and what is allowed.

    ``row`` is the 0-based position in a batch (``None`` for a single object), ``field`` the input
    or configuration path, ``value`` the offending value as given, ``reason`` a sentence that says
    what is allowed.
    """

    field: str
    value: Any
    reason: str
    row: int | None = None
    source: str | None = None

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        row = f"row {self.row}: " if self.row is not None else ""
        return f"{where}{row}{self.field}={self.value!r}: {self.reason}"


class SmeInsureError(Exception):
    """Base of every error the library raises on purpose."""


@dataclass
class _IssueCarrier:
    issues: list[Issue] = field(default_factory=list)


class ConfigurationError(SmeInsureError, ValueError):
    """Product or rating-table configuration that does not validate; lists every issue found."""

    def __init__(self, issues: list[Issue] | str) -> None:
        self.issues = [Issue("", None, issues)] if isinstance(issues, str) else list(issues)
        super().__init__(self._message())

    def _message(self) -> str:
        head = f"{len(self.issues)} configuration error(s)"
        return head + ":\n" + "\n".join(f"  - {i}" for i in self.issues)


class TableError(ConfigurationError):
    """A rating table that is malformed or inconsistent."""


class NotFoundError(SmeInsureError, LookupError):
    """Something asked for by name or id that does not exist (or that this tenant cannot see)."""

    def __init__(self, kind: str, key: object, allowed: list[str] | None = None) -> None:
        self.kind, self.key, self.allowed = kind, key, allowed
        hint = f"; known: {', '.join(map(str, allowed[:20]))}" if allowed else ""
        super().__init__(f"unknown {kind} {key!r}{hint}")


class InputError(SmeInsureError, ValueError):
    """Input that cannot be accepted; ``issues`` names each field, value and what is allowed."""

    def __init__(self, issues: list[Issue], context: str | None = None) -> None:
        self.issues = list(issues)
        self.context = context
        lead = f"{context}: " if context else ""
        body = "; ".join(str(i) for i in self.issues[:10])
        more = f" (and {len(self.issues) - 10} more)" if len(self.issues) > 10 else ""
        super().__init__(f"{lead}{body}{more}")


class RatingInputError(InputError):
    """A risk that cannot be rated: unknown level, out of range, missing, wrong type, no version."""


class IdentifierError(InputError):
    """An identity number or code that fails its format or check character."""


class StateError(SmeInsureError, RuntimeError):
    """A request that the object's state forbids (bind a declined or expired quote, pay a closed claim)."""


class ConflictError(SmeInsureError):
    """A write that conflicts: an idempotency key reused with another body, a concurrent change."""


class PermissionDenied(SmeInsureError, PermissionError):
    """The caller's role may not perform this action."""


class UnavailableError(SmeInsureError):
    """A capability this installation lacks (e.g. PDF output without the Pango libraries)."""
