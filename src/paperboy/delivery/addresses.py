"""E-mail addresses as people write them: 'a@x.org, Name <b@y.org>'."""

from __future__ import annotations

from email.utils import getaddresses


class AddressError(ValueError):
    """An address list that is not one; the message quotes it."""


def addresses(text: str) -> list[str]:
    """The addresses of 'a@x.org, Name <b@y.org>'; AddressError when one is not an address."""
    found = [addr for _, addr in getaddresses([text])]
    if not found or any("@" not in a or " " in a for a in found):
        raise AddressError(f"not an e-mail address: {text!r}")
    return found
