"""Sending a message over SMTP (smtplib), so that a delivery is recorded exactly when the
server can first hold it.

The message is written up to its last line, then `committing` records it sent, then the
final dot goes out. A server takes responsibility for a message only at that dot, so a
run killed before it leaves no message on the server and a claim unsent (the next run sends
it), and a run killed after it leaves the message recorded sent (never sent twice). A server
that then refuses the message, or is gone before it answers, raises SendError and the caller
takes the record back.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import getaddresses

from paperboy.config import SMTPSettings

# A line that starts with a dot gets another (RFC 5321 4.5.2), so none ends the message early.
_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


class SendError(Exception):
    """The message was not sent; says which server and why, in one line."""


def send(
    settings: SMTPSettings, msg: EmailMessage, committing: Callable[[], None] = lambda: None
) -> None:
    """Send `msg` to its To addresses; `committing` runs just before the final dot."""
    # getaddresses, not a split on commas: a display name may hold one ("Lee, Ann" <a@x.org>)
    recipients = [address for _, address in getaddresses([str(msg["To"])]) if address]
    body = _LEADING_DOT.sub(b"..", msg.as_bytes(policy=SMTP_POLICY))
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    try:
        with _connect(settings) as smtp:
            _expect(smtp.mail(settings.sender), (250,), f"sender {settings.sender} refused")
            for address in recipients:
                _expect(smtp.rcpt(address), (250, 251), f"recipient {address} refused")
            _expect(smtp.docmd("DATA"), (354,), "DATA refused")
            smtp.send(body)
            committing()
            smtp.send(b".\r\n")
            _expect(smtp.getreply(), (250,), "message refused")
    except SendError as exc:
        raise SendError(f"{settings.server}: {exc}") from None
    except smtplib.SMTPAuthenticationError as exc:
        reason = _reply(exc.smtp_code, exc.smtp_error)
        raise SendError(f"{settings.server}: login as {settings.user} failed: {reason}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise SendError(f"{settings.server}: {exc}") from None
    except smtplib.SMTPServerDisconnected:
        raise SendError(f"{settings.server}: the server closed the connection") from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"{settings.server}: {_reply(exc.smtp_code, exc.smtp_error)}") from None
    except ssl.SSLError as exc:
        raise SendError(f"{settings.server}: TLS failed: {exc.reason or exc}") from None
    except socket.gaierror:
        raise SendError(f"{settings.server}: unknown host {settings.host}") from None
    except TimeoutError:
        raise SendError(f"{settings.server}: no answer in {settings.timeout:g} s") from None
    except OSError as exc:
        raise SendError(f"{settings.server}: {exc.strerror or exc}") from None


def _connect(settings: SMTPSettings) -> smtplib.SMTP:
    """A connection with TLS as configured (STARTTLS is required, never skipped when the
    server does not offer it) and logged in when a user is set."""
    context = ssl.create_default_context(cafile=settings.ca_file)
    smtp: smtplib.SMTP
    if settings.security == "tls":
        smtp = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        smtp.ehlo()
        if settings.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError("the server does not offer STARTTLS")
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _expect(reply: tuple[int, bytes], codes: tuple[int, ...], what: str) -> None:
    code, text = reply
    if code not in codes:
        raise SendError(f"{what}: {_reply(code, text)}")


def _reply(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(said.split())}".strip()
