"""Reading the identity provider settings (RUNGS_OIDC_*) into checked values.

Without Flask: the app checks them at start and stops with a sentence saying what is wrong.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit


class SsoConfigError(ValueError):
    """An identity provider setting that cannot work, with a message for the admin."""


@dataclass(frozen=True)
class SsoSettings:
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    name: str
    domains: frozenset[str] = frozenset()

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def read(config: dict) -> SsoSettings | None:
    """Check RUNGS_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _NAME and _DOMAINS; None if unset."""
    issuer = str(config.get("OIDC_ISSUER") or "").strip()
    client_id = str(config.get("OIDC_CLIENT_ID") or "").strip()
    secret = str(config.get("OIDC_CLIENT_SECRET") or "").strip()
    if not (issuer or client_id or secret):
        return None
    missing = [
        f"RUNGS_OIDC_{name}"
        for name, value in (("ISSUER", issuer), ("CLIENT_ID", client_id), ("CLIENT_SECRET", secret))
        if not value
    ]
    if missing:
        raise SsoConfigError(
            f"Single sign-on needs {', '.join(missing)} as well: set all three of "
            "RUNGS_OIDC_ISSUER, RUNGS_OIDC_CLIENT_ID and RUNGS_OIDC_CLIENT_SECRET, or none."
        )
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SsoConfigError(
            f"RUNGS_OIDC_ISSUER must be the provider's https:// address, like "
            f"https://accounts.google.com; it is {issuer!r}."
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise SsoConfigError(
            "RUNGS_OIDC_ISSUER must use https://: sign-in tokens must not cross the network "
            "in clear (plain http is accepted only for a provider on this machine)."
        )
    if parts.query or parts.fragment:
        raise SsoConfigError("RUNGS_OIDC_ISSUER is the issuer itself, without ?query or #part.")
    name = str(config.get("OIDC_NAME") or "").strip() or parts.hostname
    domains = read_domains(config.get("OIDC_DOMAINS"))
    return SsoSettings(issuer, client_id, secret, name[:60], domains)


def read_domains(value) -> frozenset[str]:
    """Read "example.com, example.org" into lower-case domains, refusing what is not one."""
    if not value:
        return frozenset()
    found = set()
    for raw in str(value).replace(";", ",").split(","):
        domain = raw.strip().lower().lstrip("@")
        if not domain:
            continue
        if "." not in domain or any(c in domain for c in " /@:*"):
            raise SsoConfigError(
                f"RUNGS_OIDC_DOMAINS lists email domains separated by commas, like "
                f"'example.com,example.org'; {raw.strip()!r} is not one."
            )
        found.add(domain)
    return frozenset(found)


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
