"""Digest files read and parsed in a second process while the importer writes.

Parsing and repairing is about a third of a large import's time and the writer the other
two thirds: with the reading in a process of its own (which also makes the rows the store
writes, paperboy.store.rows), both cores work. The worker (paperboy.processes) takes the file
names on stdin and sends each Digest back, in order, as a pickle framed by its length; an
empty frame says it has finished, so a worker that dies is told apart from one that is
done. It parses ahead of the writer by at most AHEAD_BYTES.
"""

from __future__ import annotations

import fcntl
import json
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from paperboy import processes
from paperboy.digests import Digest, read_digests
from paperboy.store.rows import rows_of

# Below this much input a second interpreter's start (~0.2 s) is not worth it.
WORTH_BYTES = 16 * 1024 * 1024
# Pickled digests the worker may hold ready before the importer takes them.
AHEAD_BYTES = 16 * 1024 * 1024
_FRAME = struct.Struct("<Q")


class WorkerError(RuntimeError):
    """The reading process stopped before it had read every file."""


def worth_it(files: Sequence[Path]) -> bool:
    total = 0
    for path in files:
        try:
            total += path.stat().st_size
        except OSError:
            continue  # the reader reports it
        if total >= WORTH_BYTES:
            return True
    return False


@contextmanager
def parsed(files: Sequence[Path]) -> Iterator[Iterator[Digest]]:
    """The digests of `files`, in order, read by a worker process; it is stopped on exit."""
    with tempfile.TemporaryFile() as errors:
        try:
            worker = processes.python(
                "from paperboy.digest_worker import main; main()",
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        except OSError as exc:
            raise WorkerError(f"cannot start a process to read the files: {exc}") from None
        assert worker.stdin is not None and worker.stdout is not None
        _widen(worker.stdout)
        try:
            # The worker reads every name before it writes anything: no deadlock. One that
            # is gone already is told by _received, with what it said.
            with suppress(BrokenPipeError):
                worker.stdin.write(json.dumps([str(f) for f in files]).encode())
                worker.stdin.close()
            yield _received(worker, worker.stdout, errors)
        finally:
            with suppress(OSError):
                worker.stdin.close()
            if worker.poll() is None:
                worker.kill()
            worker.wait()
            worker.stdout.close()


def _widen(pipe: IO[bytes]) -> None:
    """A pipe of 1 MiB instead of 64 KiB: each refill waits for the worker's writing thread
    to be scheduled beside its parsing one, and at 64 KiB those waits were 4 s of a 35 s
    import. (Linux only; elsewhere the pipe stays as it is.)"""
    with suppress(OSError):
        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)


def _received(
    worker: subprocess.Popen[bytes], stream: IO[bytes], errors: IO[bytes]
) -> Iterator[Digest]:
    while True:
        head = stream.read(_FRAME.size)
        size = _FRAME.unpack(head)[0] if len(head) == _FRAME.size else None
        body = stream.read(size) if size else b""
        if size is None or len(body) != size:
            raise WorkerError(_stopped(worker, errors))
        if size == 0:
            return
        yield pickle.loads(body)


def _stopped(worker: subprocess.Popen[bytes], errors: IO[bytes]) -> str:
    code = worker.wait()
    errors.seek(0)
    said = errors.read().decode("utf-8", "replace").strip().splitlines()
    how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
    last = f": {said[-1]}" if said else ""
    return f"the process reading the files {how} before it had read them all{last}"


class _Outbox:
    """Frames waiting to be written, at most AHEAD_BYTES of them; a thread writes them."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.frames: deque[bytes] = deque()
        self.held = 0
        self.changed = threading.Condition()

    def put(self, frame: bytes) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.held < AHEAD_BYTES)
            self.frames.append(frame)
            self.held += len(frame)
            self.changed.notify_all()

    def send(self) -> None:
        """Write frames as they come, until the empty one (written too). When the importer
        is gone (killed: the pipe is closed) the whole worker stops at once, instead of
        parsing on and then waiting for ever for room in the outbox."""
        try:
            self._send()
        except OSError:
            os._exit(1)

    def _send(self) -> None:
        while True:
            with self.changed:
                self.changed.wait_for(lambda: bool(self.frames))
                frame = self.frames.popleft()
                self.held -= len(frame)
                self.changed.notify_all()
            self.out.write(_FRAME.pack(len(frame)))
            self.out.write(frame)
            if not frame:
                self.out.flush()
                return


def main() -> None:
    """The worker: file names (a JSON list) on stdin, framed pickled digests on stdout.
    A thread writes while this one parses, so the parsing runs ahead of the importer."""
    files = [Path(name) for name in json.load(sys.stdin)]
    outbox = _Outbox(sys.stdout.buffer)
    sender = threading.Thread(target=outbox.send, daemon=True)
    sender.start()
    for path in files:
        for digest in read_digests(path):
            if digest.papers is not None:  # the writer's rows made here, off its core
                digest.rows = rows_of(digest.papers, digest.source)
            outbox.put(pickle.dumps(digest, protocol=pickle.HIGHEST_PROTOCOL))
    outbox.put(b"")
    sender.join()
