"""Who may write: an API key for every request that stores something (feedback, documents, learning).

Reads (suggest, listings, the page) stay open, as in Annif. Writes follow one rule:

- with a key (``unbis serve --api-key KEY`` or ``$UNBIS_API_KEY``) a write needs ``Authorization: Bearer KEY``
  (401 without or with a wrong one);
- without a key, writes are accepted only when the server listens on a loopback address (only this machine
  reaches it); bound to any other address without a key, every write is refused with 403, and
  ``unbis serve`` says so when it starts.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from unbis.errors import UnbisError

ENV_KEY = "UNBIS_API_KEY"


class Unauthorized(UnbisError):
    """A write without the server's key (HTTP 401)."""


class Forbidden(UnbisError):
    """A write to a server reachable by others that has no key configured (HTTP 403)."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` (the address the server binds) is reachable from this machine only."""
    if host.strip().lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to anything: treat as public


def key_from_env(key: str | None) -> str | None:
    """The key given on the command line, else ``$UNBIS_API_KEY``; empty means none."""
    return (key if key is not None else os.environ.get(ENV_KEY)) or None


@dataclass(frozen=True)
class WritePolicy:
    """The key writes need (None: none), and whether the server is bound to loopback only."""

    api_key: str | None = None
    loopback: bool = True

    @property
    def mode(self) -> str:
        """``key`` (writes need the key), ``open`` (loopback without a key) or ``refused``."""
        if self.api_key:
            return "key"
        return "open" if self.loopback else "refused"

    def startup_note(self) -> str:
        return {
            "key": "writes (feedback, documents, learn) need `Authorization: Bearer <key>`",
            "open": "writes are open without a key: the server is bound to loopback only",
            "refused": "no API key and not bound to loopback: every write (feedback, documents, learn) "
                       f"is refused with 403; start with --api-key KEY or ${ENV_KEY} to accept them",
        }[self.mode]

    def check(self, authorization: str | None) -> None:
        """Raise :class:`Unauthorized` / :class:`Forbidden` unless this request may write."""
        if self.api_key:
            scheme, _, token = (authorization or "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(),
                                                                     self.api_key.encode()):
                raise Unauthorized("this server needs an API key for writes: send `Authorization: Bearer <key>`")
            return
        if not self.loopback:
            raise Forbidden("writes are refused: the server is reachable from other machines and has no API "
                            f"key (start it with --api-key KEY or ${ENV_KEY})")


def require_write(request: Request) -> None:
    """FastAPI dependency of every route that writes."""
    policy: WritePolicy = request.app.state.unbis.writes
    policy.check(request.headers.get("authorization"))


#: Add to a route's parameters: ``_: WriteAccess``.
WriteAccess = Annotated[None, Depends(require_write)]
