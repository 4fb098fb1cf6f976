"""Who is acting, and from where: every service call receives one, so the access log can say so."""
import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user: object  # accounts.User
    ip_address: str | None = None

    @classmethod
    def from_request(cls, request):
        return cls(user=request.user, ip_address=client_ip(request))


def client_ip(request) -> str | None:
    """The client's address. Behind a proxy, only the proxy's own X-Forwarded-For entry is trusted."""
    from django.conf import settings

    address = request.META.get("REMOTE_ADDR")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[-1].strip()
    return _valid_address(address)


def _valid_address(address):
    """Only a real IP address goes into the log; a malformed header must not break the write."""
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None
