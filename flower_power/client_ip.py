"""The one notion of "the client's IP address": throttles, django-axes and logs all use it.

`TRUSTED_PROXIES` (settings, from the environment) lists the proxies in front of us as
addresses or CIDR networks. Empty (the default) means no proxy: the peer of the TCP connection
(REMOTE_ADDR) is the client and every X-Forwarded-* header is ignored, since any client can
send one. With proxies configured, X-Forwarded-For is read from the right (each proxy appends
the address it saw) and the first hop that is not a trusted proxy is the client; a client can
put anything it likes on the left, and it is never read.
"""

import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Headers only a trusted proxy may set; removed from requests that did not come through one.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT", "HTTP_X_REAL_IP", "HTTP_FORWARDED",
)


def parse_networks(entries) -> tuple[Network, ...]:
    """Addresses or CIDR networks, e.g. ["10.0.0.0/8", "127.0.0.1"]; a bad one is an error."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=True))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network ({exc})."
            ) from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def peer_is_trusted_proxy(request) -> bool:
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    return bool(networks) and _trusted(_address(request.META.get("REMOTE_ADDR", "")), networks)


def client_ip(request) -> str:
    """The client's address as far as our trusted proxies vouch for it."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not peer_is_trusted_proxy(request):
        return remote
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Our proxy appends a valid address; garbage here means the chain is not what
            # TRUSTED_PROXIES says. The nearest hop we can vouch for is the proxy itself.
            logger.warning("unparsable X-Forwarded-For hop %r; using the proxy's address", hop)
            return remote
        if not _trusted(address, networks):
            return str(address)
    # Every hop is one of our proxies (or none was given): the leftmost is as far as we know.
    return str(_address(hops[0])) if hops else remote


class ForwardedHeadersMiddleware:
    """Drop X-Forwarded-* headers unless the peer is a trusted proxy, so nothing downstream
    (SECURE_PROXY_SSL_HEADER's X-Forwarded-Proto, USE_X_FORWARDED_HOST...) can be fooled by a
    client that sends them itself; and note the client's address for the logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not peer_is_trusted_proxy(request):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        request.client_ip = client_ip(request)
        return self.get_response(request)


class ClientIpLogFilter:
    """Adds `client_ip` to log records about a request (django.request's carry it)."""

    def filter(self, record) -> bool:
        request = getattr(record, "request", None)
        address = getattr(request, "client_ip", None) if request is not None else None
        if address is None and request is not None and hasattr(request, "META"):
            address = client_ip(request)
        record.client_ip = address or "-"
        return True


class QuietClientErrorsFilter:
    """A 4xx (a 403 from the admin, say) is the client's mistake, not ours: log it as one
    warning line, without the traceback Django attaches to PermissionDenied."""

    def filter(self, record) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
            if record.levelno > logging.WARNING:
                record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
