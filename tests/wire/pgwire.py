"""tests/wire/pgwire.py - a minimal PostgreSQL protocol 3.0 client in the
Python standard library, for the wire tests that must speak bytes directly
(hostile input, cancel requests, shutdown). Not a driver: it knows startup,
trust and SCRAM-SHA-256 authentication, simple and extended queries, and raw
sends.
"""
import base64
import hashlib
import hmac
import os
import socket
import struct


class ServerError(Exception):
    def __init__(self, fields):
        super().__init__("%s %s" % (fields.get("C"), fields.get("M")))
        self.fields = fields


def parse_fields(body):
    fields = {}
    for part in body.split(b"\0"):
        if part:
            fields[chr(part[0])] = part[1:].decode("utf-8", "replace")
    return fields


class Conn:
    def __init__(self, port, host="127.0.0.1", user="tester", database="strata",
                 password=None, options=None, timeout=30.0, connect_only=False):
        if host.startswith("/"):
            # A unix socket directory, as libpq's host=/dir.
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.settimeout(timeout)
            self.sock.connect("%s/.s.PGSQL.%d" % (host, port))
        else:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.pid = self.key = None
        self.status = None
        self.notices = []  # NoticeResponse fields, in arrival order
        self.params = {}
        if connect_only:
            return
        pairs = [("user", user), ("database", database)]
        if options:
            pairs.append(("options", options))
        body = struct.pack("!I", 196608)
        for name, value in pairs:
            body += name.encode() + b"\0" + value.encode() + b"\0"
        body += b"\0"
        self.sock.sendall(struct.pack("!I", len(body) + 4) + body)
        self._authenticate(user, password)

    def _authenticate(self, user, password):
        while True:
            kind, body = self.read()
            if kind == "E":
                raise ServerError(parse_fields(body))
            if kind == "R":
                code = struct.unpack("!I", body[:4])[0]
                if code == 10:
                    self._scram(password or "")
            elif kind == "S":
                name, value = body.split(b"\0")[:2]
                self.params[name.decode()] = value.decode()
            elif kind == "K":
                self.pid, self.key = struct.unpack("!II", body)
            elif kind == "Z":
                self.status = chr(body[0])
                return

    def _scram(self, password):
        nonce = base64.b64encode(os.urandom(18)).decode()
        first_bare = "n=,r=" + nonce
        first = ("n,," + first_bare).encode()
        self.send(b"p", b"SCRAM-SHA-256\0" + struct.pack("!I", len(first)) + first)
        kind, body = self.read()
        if kind == "E":
            raise ServerError(parse_fields(body))
        server_first = body[4:].decode()
        attrs = dict(item.split("=", 1) for item in server_first.split(","))
        salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]),
                                     int(attrs["i"]))
        client_key = hmac.new(salted, b"Client Key", "sha256").digest()
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = "c=biws,r=" + attrs["r"]
        auth_message = ",".join([first_bare, server_first, without_proof]).encode()
        signature = hmac.new(stored_key, auth_message, "sha256").digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        final = without_proof + ",p=" + base64.b64encode(proof).decode()
        self.send(b"p", final.encode())

    def send(self, kind, body=b""):
        self.sock.sendall(kind + struct.pack("!I", len(body) + 4) + body)

    def send_raw(self, data):
        self.sock.sendall(data)

    def _fill(self, count):
        while len(self.buf) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("server closed the connection")
            self.buf += chunk

    def read(self):
        self._fill(5)
        kind = chr(self.buf[0])
        length = struct.unpack("!I", self.buf[1:5])[0]
        self._fill(1 + length)
        body = self.buf[5:1 + length]
        self.buf = self.buf[1 + length:]
        return kind, body

    def read_until_ready(self):
        """Returns (rows, error fields or None, command tags) up to ReadyForQuery."""
        rows, error, tags = [], None, []
        while True:
            kind, body = self.read()
            if kind == "D":
                count = struct.unpack("!H", body[:2])[0]
                at, row = 2, []
                for _ in range(count):
                    length = struct.unpack("!i", body[at:at + 4])[0]
                    at += 4
                    if length < 0:
                        row.append(None)
                    else:
                        row.append(body[at:at + length].decode())
                        at += length
                rows.append(row)
            elif kind == "E" and error is None:
                error = parse_fields(body)
            elif kind == "N":
                self.notices.append(parse_fields(body))
            elif kind == "S":
                name, value = body.split(b"\0")[:2]
                self.params[name.decode()] = value.decode()
            elif kind == "C":
                tags.append(body.rstrip(b"\0").decode())
            elif kind == "Z":
                self.status = chr(body[0])
                return rows, error, tags

    def query(self, sql):
        self.send(b"Q", sql.encode() + b"\0")
        return self.read_until_ready()

    def closed_by_server(self):
        """Reads until the server closes; returns the last error fields seen."""
        last = None
        try:
            while True:
                kind, body = self.read()
                if kind == "E":
                    last = parse_fields(body)
        except (EOFError, ConnectionResetError, socket.timeout, OSError):
            return last

    def close(self):
        try:
            self.send(b"X")
        except OSError:
            pass
        self.sock.close()


def cancel(port, pid, key, host="127.0.0.1"):
    sock = socket.create_connection((host, port), timeout=10)
    sock.sendall(struct.pack("!IIII", 16, 80877102, pid, key))
    sock.recv(1)
    sock.close()


# ---- Extended protocol helpers (messages are queued; call sync_and_read) ----

def cstr(text):
    return text.encode() + b"\0"


def parse_msg(name, sql, types=()):
    return b"P", cstr(name) + cstr(sql) + struct.pack("!H", len(types)) + b"".join(
        struct.pack("!I", t) for t in types)


def bind_msg(portal, statement, params=(), param_formats=(), result_formats=()):
    body = cstr(portal) + cstr(statement)
    body += struct.pack("!H", len(param_formats)) + b"".join(struct.pack("!H", f) for f in param_formats)
    body += struct.pack("!H", len(params))
    for value in params:
        if value is None:
            body += struct.pack("!i", -1)
        else:
            data = value if isinstance(value, bytes) else str(value).encode()
            body += struct.pack("!i", len(data)) + data
    body += struct.pack("!H", len(result_formats)) + b"".join(struct.pack("!H", f) for f in result_formats)
    return b"B", body


def describe_msg(kind, name):
    return b"D", kind.encode() + cstr(name)


def execute_msg(portal, max_rows=0):
    return b"E", cstr(portal) + struct.pack("!I", max_rows)


def close_msg(kind, name):
    return b"C", kind.encode() + cstr(name)


def send_batch(conn, messages, sync=True):
    for kind, body in messages:
        conn.send(kind, body)
    if sync:
        conn.send(b"S")


def read_all(conn):
    """Messages up to ReadyForQuery, as (kind, body) pairs (ReadyForQuery last)."""
    out = []
    while True:
        kind, body = conn.read()
        out.append((kind, body))
        if kind == "Z":
            conn.status = chr(body[0])
            return out


def data_rows(messages):
    rows = []
    for kind, body in messages:
        if kind != "D":
            continue
        count = struct.unpack("!H", body[:2])[0]
        at, row = 2, []
        for _ in range(count):
            length = struct.unpack("!i", body[at:at + 4])[0]
            at += 4
            row.append(None if length < 0 else body[at:at + length])
            at += max(length, 0)
        rows.append(row)
    return rows
