"""Just enough of MongoDB's wire protocol (OP_MSG, BSON) to empty and fill a FerretDB.

The harness empties SciCat's catalogue between tests by deleting the documents of its collections
(:meth:`tests.scicat_real.kit.SciCatBackend.wipe`), and :mod:`tests.scicat_real.clone` (the tests'
and the benchmark's large catalogues) copies what SciCat stored; no MongoDB driver is among the
project's dependencies, and these few commands need none. ObjectIds come back as
:class:`ObjectId` and dates as aware datetimes, so a document read can be written back unchanged.
Only the BSON types SciCat's documents and answers use are decoded.
"""

from __future__ import annotations

import itertools
import secrets
import socket
import struct
import time
from datetime import UTC, datetime, timedelta
from typing import Any

OP_MSG = 2013
_request_ids = itertools.count(1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ObjectId(bytes):
    """A BSON ObjectId (12 bytes): kept apart from strings when a document is copied."""

    _counter = itertools.count(secrets.randbelow(1 << 24))
    _process = secrets.token_bytes(5)

    @classmethod
    def new(cls) -> ObjectId:
        counter = next(cls._counter) % (1 << 24)
        return cls(struct.pack(">I", int(time.time())) + cls._process + counter.to_bytes(3, "big"))

    def __str__(self) -> str:
        return self.hex()


class MongoError(RuntimeError):
    """The server answered a command with ``ok: 0``."""


def _cstring(text: str) -> bytes:
    data = text.encode()
    if b"\x00" in data:
        raise ValueError(f"NUL in BSON key {text!r}")
    return data + b"\x00"


def _element(key: str, value: Any) -> bytes:
    name = _cstring(key)
    if isinstance(value, ObjectId):
        return b"\x07" + name + bytes(value)
    if isinstance(value, bool):
        return b"\x08" + name + (b"\x01" if value else b"\x00")
    if isinstance(value, int):
        if -(2**31) <= value < 2**31:
            return b"\x10" + name + struct.pack("<i", value)
        return b"\x12" + name + struct.pack("<q", value)
    if isinstance(value, float):
        return b"\x01" + name + struct.pack("<d", value)
    if isinstance(value, str):
        data = value.encode() + b"\x00"
        return b"\x02" + name + struct.pack("<i", len(data)) + data
    if isinstance(value, dict):
        return b"\x03" + name + encode(value)
    if isinstance(value, list | tuple):
        return b"\x04" + name + encode({str(i): item for i, item in enumerate(value)})
    if value is None:
        return b"\x0a" + name
    if isinstance(value, datetime):
        millis = (value - _EPOCH) // timedelta(milliseconds=1)
        return b"\x09" + name + struct.pack("<q", millis)
    if isinstance(value, bytes):
        return b"\x05" + name + struct.pack("<i", len(value)) + b"\x00" + value
    raise TypeError(f"cannot encode {type(value).__name__} as BSON")


def encode(document: dict[str, Any]) -> bytes:
    body = b"".join(_element(key, value) for key, value in document.items())
    return struct.pack("<i", len(body) + 5) + body + b"\x00"


def _decode_value(kind: int, data: bytes, at: int) -> tuple[Any, int]:
    if kind == 0x01:
        return struct.unpack_from("<d", data, at)[0], at + 8
    if kind in (0x02, 0x0D, 0x0E):  # string, JavaScript, symbol
        length = struct.unpack_from("<i", data, at)[0]
        return data[at + 4 : at + 3 + length].decode(), at + 4 + length
    if kind in (0x03, 0x04):
        length = struct.unpack_from("<i", data, at)[0]
        document = decode(data[at : at + length])
        return (list(document.values()) if kind == 0x04 else document), at + length
    if kind == 0x05:
        length = struct.unpack_from("<i", data, at)[0]
        return data[at + 5 : at + 5 + length], at + 5 + length
    if kind == 0x07:
        return ObjectId(data[at : at + 12]), at + 12
    if kind == 0x08:
        return data[at] == 1, at + 1
    if kind == 0x09:
        millis = struct.unpack_from("<q", data, at)[0]
        return _EPOCH + timedelta(milliseconds=millis), at + 8
    if kind in (0x0A, 0x06, 0x7F, 0xFF):  # null, undefined, max key, min key
        return None, at
    if kind == 0x0B:
        pattern_end = data.index(b"\x00", at)
        flags_end = data.index(b"\x00", pattern_end + 1)
        return data[at:pattern_end].decode(), flags_end + 1
    if kind == 0x10:
        return struct.unpack_from("<i", data, at)[0], at + 4
    if kind in (0x11, 0x12):
        return struct.unpack_from("<q", data, at)[0], at + 8
    if kind == 0x13:
        return data[at : at + 16], at + 16
    raise ValueError(f"BSON type 0x{kind:02x} is not supported")


def decode(data: bytes) -> dict[str, Any]:
    length = struct.unpack_from("<i", data, 0)[0]
    document: dict[str, Any] = {}
    at = 4
    while at < length - 1:
        kind = data[at]
        key_end = data.index(b"\x00", at + 1)
        key = data[at + 1 : key_end].decode()
        document[key], at = _decode_value(kind, data, key_end + 1)
    return document


def _receive(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("the server closed the connection mid-reply")
        chunks += chunk
    return bytes(chunks)


def command(
    host: str, port: int, database: str, body: dict[str, Any], *, timeout: float = 30
) -> dict[str, Any]:
    """Run one command (``{"delete": ...}``, ``{"insert": ...}``) and return its reply; a reply
    with ``ok: 0`` or write errors raises :class:`MongoError`."""
    payload = struct.pack("<I", 0) + b"\x00" + encode({**body, "$db": database})
    header = struct.pack("<iiii", 16 + len(payload), next(_request_ids), 0, OP_MSG)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(header + payload)
        length, _request, _response_to, opcode = struct.unpack("<iiii", _receive(sock, 16))
        reply = _receive(sock, length - 16)
    if opcode != OP_MSG or reply[4] != 0:
        raise MongoError(f"unexpected reply (opcode {opcode}, section kind {reply[4]})")
    answer = decode(reply[5:])
    if answer.get("ok") != 1 or answer.get("writeErrors"):
        raise MongoError(f"{next(iter(body))} failed: {answer.get('errmsg', answer)}")
    return answer
