"""Who is acting, and from where: every service call receives one, so the access log can say so."""

import ipaddress
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    """The user, the address they act from and the page or endpoint they act through (for the access log)."""

    user: Any  # an accounts.User (core may not import accounts), or None
    ip_address: str | None = None
    path: str = ""

    @classmethod
    def from_request(cls, request) -> "Actor":
        return cls(user=request.user, ip_address=client_ip(request), path=request.path)


def client_ip(request) -> str | None:
    """The client's address: the entry the outermost trusted proxy appended to X-Forwarded-For.

    TRUSTED_PROXY_COUNT proxies of ours each append the address they saw, so the Nth entry from the right is the
    one our outermost proxy wrote; everything left of it came from the client and is not believed. With 0 proxies
    the header is ignored. Fewer entries than proxies means the request skipped the outer ones, and then the
    leftmost entry was still written by one of ours. A missing or broken entry falls back to the connection.
    """
    from django.conf import settings

    trusted_proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0
    if trusted_proxies > 0:
        entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        entries = [entry for entry in entries if entry]
        if entries:
            forwarded = _valid_address(entries[-min(trusted_proxies, len(entries))])
            if forwarded:
                return forwarded
    return _valid_address(request.META.get("REMOTE_ADDR"))


def _valid_address(address):
    """Only a real IP address goes into the log; a malformed header must not break the write."""
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None
