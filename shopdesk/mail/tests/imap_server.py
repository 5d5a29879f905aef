"""A small, real IMAP4rev1 server for tests: sockets, threads and TLS, mailboxes in memory.

It speaks what the poller uses and a little more (RFC 3501 subset): CAPABILITY, NOOP, LOGOUT,
STARTTLS, LOGIN, SELECT, EXAMINE, LIST, UID SEARCH (ALL, SEEN, UNSEEN), UID FETCH (UID, FLAGS,
BODY[], BODY.PEEK[], RFC822, RFC822.SIZE) and UID STORE (+FLAGS, -FLAGS, FLAGS, .SILENT).
Message bodies go out as literals `{n}`; literals sent by the client are read too.

The fixtures make a throwaway CA and a server certificate for localhost/127.0.0.1 at test time
(nothing secret is committed), so the client really verifies the chain and the host name.
"""

import datetime
import ipaddress
import re
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

USERNAME = "support@shop.test"
PASSWORD = "imap-test-pw"


# --- the store -----------------------------------------------------------------------------


@dataclass
class Message:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Mailbox:
    name: str
    uid_validity: int = 1
    next_uid: int = 1
    messages: list[Message] = field(default_factory=list)


class MailStore:
    """Mailboxes shared by every connection; one lock guards them all."""

    def __init__(self, mailboxes: tuple[str, ...] = ("INBOX",)) -> None:
        self.lock = threading.RLock()
        self.mailboxes: dict[str, Mailbox] = {name: Mailbox(name) for name in mailboxes}
        self.commands: list[str] = []  # every command line received (not LOGIN's arguments)

    def add(self, mailbox: str, raw: bytes, *, seen: bool = False) -> int:
        with self.lock:
            box = self.mailboxes.setdefault(mailbox, Mailbox(mailbox))
            message = Message(uid=box.next_uid, raw=raw, flags={"\\Seen"} if seen else set())
            box.next_uid += 1
            box.messages.append(message)
            return message.uid

    def flags(self, mailbox: str, uid: int) -> set[str]:
        with self.lock:
            return next(set(m.flags) for m in self.mailboxes[mailbox].messages if m.uid == uid)

    def unseen(self, mailbox: str) -> list[int]:
        with self.lock:
            return [m.uid for m in self.mailboxes[mailbox].messages if "\\Seen" not in m.flags]


# --- the protocol --------------------------------------------------------------------------


class ProtocolError(Exception):
    pass


_TOKEN = re.compile(
    rb'\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|\{(\d+)\+?\}$|([^\s()"]+(?:\[[^\]]*\](?:<[\d.]+>)?)?))'
)

Token = str | list["Token"]


def _tokens(line: bytes, read_literal: "LiteralReader") -> list[Token]:
    """Split a command line into atoms, strings and parenthesised lists; fetch literals."""
    stack: list[list[Token]] = [[]]
    pos = 0
    while pos < len(line):
        match = _TOKEN.match(line, pos)
        if match is None or match.end() == pos:
            if line[pos:].strip():
                raise ProtocolError("unparsable command")
            break
        pos = match.end()
        opened, closed, quoted, literal, atom = match.groups()
        if opened:
            stack.append([])
        elif closed:
            if len(stack) == 1:
                raise ProtocolError("unbalanced parentheses")
            inner = stack.pop()
            stack[-1].append(inner)
        elif quoted is not None:
            stack[-1].append(re.sub(rb"\\(.)", rb"\1", quoted).decode())
        elif literal is not None:
            data, rest = read_literal(int(literal))
            stack[-1].append(data.decode())
            line, pos = rest, 0
        elif atom is not None:
            stack[-1].append(atom.decode())
    if len(stack) != 1:
        raise ProtocolError("unbalanced parentheses")
    return stack[0]


class LiteralReader:
    def __init__(self, handler: "ImapHandler") -> None:
        self.handler = handler

    def __call__(self, size: int) -> tuple[bytes, bytes]:
        self.handler.send(b"+ Ready for literal\r\n")
        data = self.handler.rfile.read(size)
        rest = self.handler.rfile.readline().rstrip(b"\r\n")
        return data, rest


def _uid_set(spec: str, uids: list[int]) -> list[int]:
    """`1:3,7,9:*` over the mailbox's UIDs; `*` is the highest UID."""
    highest = max(uids, default=0)
    wanted: set[int] = set()
    for part in spec.split(","):
        lo_s, _, hi_s = part.partition(":")
        lo = highest if lo_s == "*" else int(lo_s)
        hi = lo if not hi_s else (highest if hi_s == "*" else int(hi_s))
        lo, hi = min(lo, hi), max(lo, hi)
        wanted.update(u for u in uids if lo <= u <= hi)
    return sorted(wanted)


def _flag_list(flags: set[str]) -> bytes:
    return ("(" + " ".join(sorted(flags)) + ")").encode()


def _quote(text: str) -> bytes:
    return ('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"').encode()


class ImapHandler(socketserver.BaseRequestHandler):
    server: "ImapServer"

    def setup(self) -> None:
        self.sock: socket.socket = self.request
        self.sock.settimeout(10)
        self.user: str | None = None
        self.box: Mailbox | None = None
        self.read_only = False
        self.tls = False
        if self.server.implicit_tls:
            self.sock = self.server.context.wrap_socket(self.sock, server_side=True)
            self.tls = True
        self.rfile = self.sock.makefile("rb")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def untagged(self, line: bytes) -> None:
        self.send(b"* " + line + b"\r\n")

    def capabilities(self) -> bytes:
        caps = [b"IMAP4rev1", b"AUTH=PLAIN"]
        if self.server.starttls and not self.tls:
            caps += [b"STARTTLS", b"LOGINDISABLED"]
        return b" ".join(caps)

    def handle(self) -> None:
        self.untagged(b"OK [CAPABILITY " + self.capabilities() + b"] Test IMAP ready")
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            tag, _, rest = line.rstrip(b"\r\n").partition(b" ")
            try:
                words = _tokens(rest, LiteralReader(self))
                if not words or not isinstance(words[0], str):
                    raise ProtocolError("no command")
                command = words[0].upper()
                with self.server.store.lock:
                    self.server.store.commands.append(
                        command if command == "LOGIN" else rest.decode(errors="replace")
                    )
                done = self.dispatch(tag, command, words[1:])
            except (ProtocolError, ValueError, IndexError) as exc:
                self.send(tag + b" BAD " + str(exc).encode() + b"\r\n")
                continue
            if done:
                return

    def dispatch(self, tag: bytes, command: str, args: list[Token]) -> bool:
        """Run one command; True when the connection ends."""
        if command == "CAPABILITY":
            self.untagged(b"CAPABILITY " + self.capabilities())
        elif command == "NOOP":
            pass
        elif command == "LOGOUT":
            self.untagged(b"BYE Logging out")
            self.send(tag + b" OK LOGOUT completed\r\n")
            return True
        elif command == "STARTTLS":
            return self.starttls(tag)
        elif command == "LOGIN":
            return self.login(tag, args)
        elif self.user is None:
            self.send(tag + b" NO Log in first\r\n")
            return False
        elif command in ("SELECT", "EXAMINE"):
            return self.select(tag, str(args[0]), read_only=command == "EXAMINE")
        elif command == "LIST":
            self.list_mailboxes(str(args[0]), str(args[1]))
        elif command == "UID" and self.box is not None:
            return self.uid(tag, str(args[0]).upper(), args[1:])
        elif command == "UID":
            self.send(tag + b" NO Select a mailbox first\r\n")
            return False
        else:
            self.send(tag + b" BAD Unknown command\r\n")
            return False
        self.send(tag + b" OK " + command.encode() + b" completed\r\n")
        return False

    def starttls(self, tag: bytes) -> bool:
        if self.tls or not self.server.starttls:
            self.send(tag + b" BAD STARTTLS not available\r\n")
            return False
        self.send(tag + b" OK Begin TLS negotiation now\r\n")
        self.sock = self.server.context.wrap_socket(self.sock, server_side=True)
        self.rfile = self.sock.makefile("rb")
        self.tls = True
        return False

    def login(self, tag: bytes, args: list[Token]) -> bool:
        if self.server.starttls and not self.tls:
            self.send(tag + b" NO [PRIVACYREQUIRED] Use STARTTLS first\r\n")
            return False
        user, password = str(args[0]), str(args[1])
        if (user, password) not in self.server.accounts:
            self.send(tag + b" NO [AUTHENTICATIONFAILED] Invalid credentials\r\n")
            return False
        self.user = user
        self.send(tag + b" OK [CAPABILITY " + self.capabilities() + b"] LOGIN completed\r\n")
        return False

    def select(self, tag: bytes, name: str, *, read_only: bool) -> bool:
        store = self.server.store
        with store.lock:
            box = store.mailboxes.get("INBOX" if name.upper() == "INBOX" else name)
            if box is None:
                self.box = None
                self.send(tag + b" NO [NONEXISTENT] No such mailbox\r\n")
                return False
            self.box, self.read_only = box, read_only
            unseen = [i for i, m in enumerate(box.messages, 1) if "\\Seen" not in m.flags]
            self.untagged(b"FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)")
            self.untagged(b"%d EXISTS" % len(box.messages))
            self.untagged(b"0 RECENT")
            if unseen:
                self.untagged(b"OK [UNSEEN %d] First unseen" % unseen[0])
            self.untagged(b"OK [UIDVALIDITY %d] UIDs valid" % box.uid_validity)
            self.untagged(b"OK [UIDNEXT %d] Predicted next UID" % box.next_uid)
        mode = b"READ-ONLY" if read_only else b"READ-WRITE"
        self.send(tag + b" OK [" + mode + b"] SELECT completed\r\n")
        return False

    def list_mailboxes(self, reference: str, pattern: str) -> None:
        if not pattern:
            self.untagged(b'LIST (\\Noselect) "/" ""')
            return
        # IMAP wildcards: `*` matches anything, `%` anything but the hierarchy delimiter.
        regex = re.escape(reference + pattern).replace(r"\*", ".*").replace("%", "[^/]*")
        with self.server.store.lock:
            names = list(self.server.store.mailboxes)
        for name in names:
            if re.fullmatch(regex, name):
                self.untagged(b'LIST () "/" ' + _quote(name))

    def uid(self, tag: bytes, sub: str, args: list[Token]) -> bool:
        assert self.box is not None
        with self.server.store.lock:
            if sub == "SEARCH":
                self.search(args)
            elif sub == "FETCH":
                self.fetch(str(args[0]), args[1])
            elif sub == "STORE":
                if self.read_only:
                    self.send(tag + b" NO Mailbox is read-only\r\n")
                    return False
                self.store_flags(str(args[0]), str(args[1]), args[2])
            else:
                self.send(tag + b" BAD Unknown UID command\r\n")
                return False
        self.send(tag + b" OK UID " + sub.encode() + b" completed\r\n")
        return False

    def search(self, args: list[Token]) -> None:
        assert self.box is not None
        keys = [str(a).upper() for a in args if a != "CHARSET"]
        found = []
        for message in self.box.messages:
            seen = "\\Seen" in message.flags
            if all(
                k == "ALL" or (k == "SEEN" and seen) or (k == "UNSEEN" and not seen) for k in keys
            ):
                found.append(str(message.uid))
        self.untagged(" ".join(["SEARCH", *found]).encode())

    def fetch(self, spec: str, items_arg: Token) -> None:
        assert self.box is not None
        items = [
            str(i).upper() for i in (items_arg if isinstance(items_arg, list) else [items_arg])
        ]
        by_uid = {m.uid: (seq, m) for seq, m in enumerate(self.box.messages, 1)}
        for uid in _uid_set(spec, list(by_uid)):
            seq, message = by_uid[uid]
            parts = [b"UID %d" % uid]
            body: bytes | None = None
            for item in items:
                if item in ("BODY[]", "RFC822"):
                    if not self.read_only:
                        message.flags.add("\\Seen")
                    body, name = message.raw, item.encode()
                elif item == "BODY.PEEK[]":
                    body, name = message.raw, b"BODY[]"
                elif item == "RFC822.SIZE":
                    parts.append(b"RFC822.SIZE %d" % len(message.raw))
                elif item not in ("UID", "FLAGS"):
                    raise ProtocolError(f"unsupported FETCH item {item}")
            if "FLAGS" in items or (body is not None and "BODY.PEEK[]" not in items):
                parts.append(b"FLAGS " + _flag_list(message.flags))
            line = b"%d FETCH (" % seq + b" ".join(parts)
            if body is not None:
                line += b" " + name + b" {%d}\r\n" % len(body) + body
            self.untagged(line + b")")

    def store_flags(self, spec: str, mode: str, flags_arg: Token) -> None:
        assert self.box is not None
        flags = {str(f) for f in (flags_arg if isinstance(flags_arg, list) else [flags_arg])}
        mode = mode.upper()
        silent = mode.endswith(".SILENT")
        by_uid = {m.uid: (seq, m) for seq, m in enumerate(self.box.messages, 1)}
        for uid in _uid_set(spec, list(by_uid)):
            seq, message = by_uid[uid]
            if mode.startswith("+FLAGS"):
                message.flags |= flags
            elif mode.startswith("-FLAGS"):
                message.flags -= flags
            elif mode.startswith("FLAGS"):
                message.flags = set(flags)
            else:
                raise ProtocolError(f"unsupported STORE mode {mode}")
            if not silent:
                self.untagged(
                    b"%d FETCH (UID %d FLAGS " % (seq, uid) + _flag_list(message.flags) + b")"
                )


class ImapServer(socketserver.ThreadingTCPServer):
    """One thread per connection; TLS from the first byte (implicit) or after STARTTLS."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        context: ssl.SSLContext,
        *,
        store: MailStore | None = None,
        starttls: bool = False,
        accounts: tuple[tuple[str, str], ...] = ((USERNAME, PASSWORD),),
    ) -> None:
        super().__init__(("127.0.0.1", 0), ImapHandler)
        self.context = context
        self.store = store or MailStore()
        self.starttls = starttls
        self.implicit_tls = not starttls
        self.accounts = accounts

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that refuses our certificate hangs up in the handshake: expected in tests.
        pass

    def __enter__(self) -> "ImapServer":
        threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


# --- certificates --------------------------------------------------------------------------


@dataclass(frozen=True)
class Certs:
    ca_file: Path  # the CA the client is told to trust (cafile)
    cert_file: Path  # server chain signed by that CA, for localhost and 127.0.0.1
    key_file: Path
    rogue_cert_file: Path  # same names, signed by a CA nobody trusts
    rogue_key_file: Path

    def server_context(self, *, rogue: bool = False) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if rogue:
            context.load_cert_chain(self.rogue_cert_file, self.rogue_key_file)
        else:
            context.load_cert_chain(self.cert_file, self.key_file)
        return context


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _make_ca(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _make_leaf(
    ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def make_certs(folder: Path) -> Certs:
    """A CA and a server certificate signed by it, plus a look-alike signed by another CA."""
    pem = serialization.Encoding.PEM
    ca_key, ca_cert = _make_ca("Shopdesk Test CA")
    key, cert = _make_leaf(ca_key, ca_cert)
    rogue_ca_key, rogue_ca_cert = _make_ca("Untrusted Test CA")
    rogue_key, rogue_cert = _make_leaf(rogue_ca_key, rogue_ca_cert)
    certs = Certs(
        ca_file=folder / "ca.pem",
        cert_file=folder / "server.pem",
        key_file=folder / "server.key",
        rogue_cert_file=folder / "rogue.pem",
        rogue_key_file=folder / "rogue.key",
    )
    certs.ca_file.write_bytes(ca_cert.public_bytes(pem))
    certs.cert_file.write_bytes(cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    certs.key_file.write_bytes(_pem_key(key))
    certs.rogue_cert_file.write_bytes(
        rogue_cert.public_bytes(pem) + rogue_ca_cert.public_bytes(pem)
    )
    certs.rogue_key_file.write_bytes(_pem_key(rogue_key))
    return certs


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def imap_certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    """Throwaway keys in a temporary folder, made once per test run."""
    return make_certs(tmp_path_factory.mktemp("imap-certs"))


@pytest.fixture
def imap_server(imap_certs: Certs) -> Iterator[ImapServer]:
    """An IMAPS server (TLS from the first byte) on 127.0.0.1, with an empty INBOX."""
    with ImapServer(imap_certs.server_context()) as server:
        yield server
