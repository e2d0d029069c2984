"""Settings from the environment, with defaults under the user's data directory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir

DEFAULT_CATEGORY = "cs.CV"
DIGEST_SIZE = 20  # papers in a digest or a profile feed's day: about what a researcher reads


def data_dir() -> Path:
    return Path(user_data_dir("paperboy", appauthor=False))


def archive_dir() -> Path:
    """Where `paperboy update` writes the digest archive: PAPERBOY_ARCHIVE or <data dir>/archive."""
    env = os.environ.get("PAPERBOY_ARCHIVE")
    return Path(env) if env else data_dir() / "archive"


def categories() -> list[str]:
    """The categories `paperboy update` keeps: PAPERBOY_CATEGORIES (comma-separated) or cs.CV."""
    env = os.environ.get("PAPERBOY_CATEGORIES", "")
    cats = [c.strip() for c in env.split(",") if c.strip()]
    return cats or [DEFAULT_CATEGORY]


def base_url(default: str = "http://127.0.0.1:8000") -> str:
    """Where the web reader is reached, for the absolute links of its feeds:
    PAPERBOY_BASE_URL or `default`. Never taken from a request's Host header."""
    return os.environ.get("PAPERBOY_BASE_URL", "").strip() or default


def read_replica() -> str | None:
    """A read replica of the store for the web reader (PAPERBOY_DB_READ: a postgresql://
    URL): pages read from it, and writes go to the store itself."""
    return os.environ.get("PAPERBOY_DB_READ", "").strip() or None


def holidays_file() -> Path:
    """The user's own holiday table, extending the packaged one: $PAPERBOY_HOLIDAYS, or
    holidays.txt in paperboy's data directory."""
    env = os.environ.get("PAPERBOY_HOLIDAYS")
    return Path(env) if env else data_dir() / "holidays.txt"


def sample_dir() -> Path:
    """The small real sample shipped inside the package (see data/SAMPLE-NOTICE.md)."""
    return Path(__file__).parent / "data" / "sample"


def web_url() -> str | None:
    """The web reader's address when one is configured (PAPERBOY_BASE_URL), for the links of
    e-mailed digests back to it; None when nothing says where it is reached."""
    return os.environ.get("PAPERBOY_BASE_URL", "").strip() or None


class ConfigError(ValueError):
    """A setting with a value paperboy cannot use; the message names the variable."""


Security = Literal["starttls", "tls", "none"]
SECURITIES: tuple[Security, ...] = ("starttls", "tls", "none")
DEFAULT_PORTS: dict[Security, int] = {"starttls": 587, "tls": 465, "none": 25}


@dataclass(frozen=True, slots=True)
class SMTPSettings:
    """Where digests are sent from. The password only ever comes from the environment."""

    host: str
    port: int
    security: Security
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None  # a CA to trust besides the system's (a lab's own)
    timeout: float = 30.0

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


def smtp(env: Mapping[str, str] | None = None) -> SMTPSettings | None:
    """The SMTP settings from PAPERBOY_SMTP_* (HOST, PORT, SECURITY starttls|tls|none, USER,
    PASSWORD, FROM, CA_FILE), or None when PAPERBOY_SMTP_HOST is not set. A value that
    cannot be used raises ConfigError naming the variable."""
    env = os.environ if env is None else env

    def get(name: str) -> str:
        return env.get(f"PAPERBOY_SMTP_{name}", "").strip()

    host = get("HOST")
    if not host:
        return None
    security = get("SECURITY").lower() or "starttls"
    if security not in SECURITIES:
        raise ConfigError(
            f"PAPERBOY_SMTP_SECURITY is {security!r}: use one of {', '.join(SECURITIES)}"
        )
    chosen: Security = security
    port_text = get("PORT")
    if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        raise ConfigError(f"PAPERBOY_SMTP_PORT is {port_text!r}: not a port number")
    user = get("USER") or None
    sender = get("FROM") or (user if user and "@" in user else "")
    if "@" not in sender:
        raise ConfigError("PAPERBOY_SMTP_FROM is not set: the address digests are sent from")
    ca = get("CA_FILE")
    if ca and not Path(ca).is_file():
        raise ConfigError(f"PAPERBOY_SMTP_CA_FILE: no such file: {ca}")
    return SMTPSettings(
        host=host,
        port=int(port_text) if port_text else DEFAULT_PORTS[chosen],
        security=chosen,
        sender=sender,
        user=user,
        password=env.get("PAPERBOY_SMTP_PASSWORD") or None,
        ca_file=Path(ca) if ca else None,
    )
