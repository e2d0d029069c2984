"""E-mail addresses as people write them: 'a@x.org, Name <b@y.org>'."""

from __future__ import annotations

from email.utils import formataddr, getaddresses, parseaddr


class AddressError(ValueError):
    """An address list that is not one; the message quotes it."""


def addresses(text: str) -> list[str]:
    """The addresses of 'a@x.org, Name <b@y.org>', each with its display name if it has one
    ('Name <b@y.org>', quoted as a header needs); AddressError when one is not an address."""
    found = getaddresses([text])
    if not found or any("@" not in a or " " in a for _, a in found):
        raise AddressError(f"not an e-mail address: {text!r}")
    return [formataddr(pair) for pair in found]


def bare(address: str) -> str:
    """'b@y.org' of 'Name <b@y.org>': what a server is given, and what a delivery is kept by."""
    return parseaddr(address)[1]
