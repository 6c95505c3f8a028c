"""A real SMTP server for tests (aiosmtpd): records mail, can be slow or refuse."""

import asyncio
import email
import socket
import threading

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SinkHandler:
    def __init__(self, delay: float = 0.0, refuse_rcpt: int | None = None):
        self.delay = delay
        self.refuse_rcpt = refuse_rcpt
        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return f"{self.refuse_rcpt} 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # Like a real MTA, the message is ours only once we answer 250: a client
        # that hangs up during the delay cancels this coroutine and nothing is kept.
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, delay: float = 0.0, refuse_rcpt: int | None = None):
        self.handler = SinkHandler(delay=delay, refuse_rcpt=refuse_rcpt)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list:
        with self.handler.lock:
            return list(self.handler.messages)

    def __enter__(self) -> "SmtpSink":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
