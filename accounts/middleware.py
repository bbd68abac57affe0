"""Restrict /admin/ to the networks of PORTAL_ADMIN_ALLOWED_IPS (CIDR list); elsewhere it is a 404."""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404


def parse_networks(values: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        return [ipaddress.ip_network(value, strict=False) for value in values]
    except ValueError as exc:
        raise ImproperlyConfigured(f"PORTAL_ADMIN_ALLOWED_IPS: {exc}") from exc


class AdminIPRestrictionMiddleware:
    """Answer 404 on the admin from addresses outside the allowed networks; no list, no restriction.

    The address is REMOTE_ADDR (behind a proxy, the proxy must set it to the client's address).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.networks = parse_networks(settings.PORTAL_ADMIN_ALLOWED_IPS)
        self.prefix = "/admin/"

    def __call__(self, request):
        if self.networks and request.path_info.startswith(self.prefix) and not self.allowed(request):
            raise Http404
        return self.get_response(request)

    def allowed(self, request) -> bool:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(address in network for network in self.networks)
