"""The client's address when the site sits behind reverse proxies.

Each proxy appends the address it received the request from to ``X-Forwarded-For``,
so with ``TRUSTED_PROXY_COUNT`` proxies in front, the client is that many entries from
the right. Entries further left were written by the client and can say anything, so
they are never read: a client cannot pose as another address to dodge a lockout.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's IP address: REMOTE_ADDR, or the trusted entry of X-Forwarded-For."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < count:
        # Fewer entries than proxies: the request did not come through all of them.
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
