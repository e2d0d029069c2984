"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the digest tests: it keeps what it is
given, can ask for a login, speak STARTTLS or TLS with a test CA (trustme), and run a hook
when a recipient is given or a message is complete (the kill -9 tests stop the client
there)."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

Security = Literal["none", "starttls", "tls"]
Hook = Callable[[], None]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Mailbox:
    """The aiosmtpd handler: what arrived, and the hooks."""

    received: list[Received] = field(default_factory=list)
    on_rcpt: Hook | None = None
    on_data: Hook | None = None  # after the final dot, before the server answers 250

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.on_rcpt:
            self.on_rcpt()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.on_data:
            self.on_data()
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        sender = envelope.mail_from or ""
        self.received.append(Received(sender, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


@dataclass
class MailServer:
    host: str
    port: int
    mailbox: Mailbox
    ca_file: Path  # the test CA that signed the server's certificate


class _Login:
    """An authenticator taking one user and password."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            self.user,
            self.password,
        )
        return AuthResult(success=ok, handled=False)


@contextmanager
def mail_server(
    tmp: Path, security: Security = "none", login: tuple[str, str] | None = None
) -> Iterator[MailServer]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_file = tmp / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    mailbox = Mailbox()
    port = free_port()
    kwargs: dict[str, Any] = {}
    if security == "starttls":
        kwargs.update(tls_context=context, require_starttls=True)
    if login:
        kwargs.update(authenticator=_Login(*login), auth_required=True)
        # aiosmtpd offers AUTH only after STARTTLS unless told otherwise, even over implicit
        # TLS (and with "none", over plain text, as the user chose).
        kwargs.update(auth_require_tls=security == "starttls")
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        ssl_context=context if security == "tls" else None,
        server_hostname="127.0.0.1" if security == "tls" else None,
        **kwargs,
    )
    controller.start()
    try:
        yield MailServer("127.0.0.1", port, mailbox, ca_file)
    finally:
        controller.stop()
