"""IMAP polling against a real IMAP server on 127.0.0.1, over TLS verified against a test CA."""

import dataclasses
import functools
import json
import socket

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shopdesk.mail import imap
from shopdesk.mail.imap import ImapError, ImapSettings, imap_settings, imap_settings_from, mail_poll
from shopdesk.mail.models import InboundMail
from shopdesk.mail.services import IngestResult
from shopdesk.mail.tests.imap_server import (
    PASSWORD,
    USERNAME,
    Certs,
    ImapServer,
    imap_certs,  # noqa: F401 - fixture
    imap_server,  # noqa: F401 - fixture
)
from shopdesk.mail.tests.messages import raw_mail
from shopdesk.tickets.tests.factories import CategoryFactory

SEEN = "\\Seen"
# Bytes a careless client would mangle: a literal-looking line, 8-bit text, a bare CR.
TRICKY = (
    b"From: a@example.com\r\nSubject: {5}\r\nContent-Type: text/plain; charset=gbk\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n"
    + "订单".encode("gbk")
    + b"\r\n{12}\r\n)\r\n* OK not a response\r\n"
)


class FakeIngest:
    """Records what it was given; raises for messages containing b"BOOM"."""

    def __init__(self, status: str = InboundMail.Status.NEW_TICKET) -> None:
        self.calls: list[tuple[bytes, str, str]] = []
        self.status = status
        self.duplicates: set[bytes] = set()

    def __call__(self, *, raw: bytes, source: str, mailbox: str = "") -> IngestResult:
        self.calls.append((raw, source, mailbox))
        if b"BOOM" in raw:
            raise RuntimeError("database is down")
        mail = InboundMail(status=self.status, source=source, mailbox=mailbox)
        return IngestResult(mail=mail, duplicate=raw in self.duplicates)


@pytest.fixture
def config(imap_server: ImapServer, imap_certs: Certs) -> ImapSettings:  # noqa: F811
    return ImapSettings(
        host="localhost",
        port=imap_server.port,
        username=USERNAME,
        password=PASSWORD,
        cafile=str(imap_certs.ca_file),
        timeout=5,
    )


def test_unseen_messages_are_ingested_byte_exact_and_flagged_seen_and_seen_ones_skipped(
    imap_server: ImapServer,  # noqa: F811
    config: ImapSettings,
):
    # given
    store = imap_server.store
    first = store.add("INBOX", TRICKY)
    old = store.add("INBOX", b"Subject: read already\r\n\r\nold\r\n", seen=True)
    second = store.add("INBOX", b"Subject: two\r\n\r\nhello\r\n")
    ingest = FakeIngest()
    # when
    result = mail_poll(config=config, ingest=ingest)
    # then
    assert ingest.calls == [
        (TRICKY, "imap", "INBOX"),
        (b"Subject: two\r\n\r\nhello\r\n", "imap", "INBOX"),
    ]
    assert store.flags("INBOX", first) == {SEEN}
    assert store.flags("INBOX", second) == {SEEN}
    assert store.flags("INBOX", old) == {SEEN}
    assert result.counts == {"ticket": 2}
    assert result.errors == []
    assert [b.mailbox for b in result.mailboxes] == ["INBOX"]
    # the poller asked by UID and peeked, so nothing was marked read before the ingest
    commands = [c.upper() for c in store.commands]
    assert "UID SEARCH UNSEEN" in commands
    assert f"UID FETCH {first} (BODY.PEEK[])" in commands
    assert f"UID STORE {first} +FLAGS (\\SEEN)" in commands


def test_a_second_poll_ingests_only_what_arrived_since(
    imap_server: ImapServer,  # noqa: F811
    config: ImapSettings,
):
    # given
    imap_server.store.add("INBOX", b"Subject: one\r\n\r\n1\r\n")
    mail_poll(config=config, ingest=FakeIngest())
    ingest = FakeIngest()
    # when
    nothing = mail_poll(config=config, ingest=ingest)
    imap_server.store.add("INBOX", b"Subject: new\r\n\r\n2\r\n")
    later = mail_poll(config=config, ingest=ingest)
    # then
    assert nothing.counts == {}
    assert later.counts == {"ticket": 1}
    assert [raw for raw, _, _ in ingest.calls] == [b"Subject: new\r\n\r\n2\r\n"]


def test_several_mailboxes_are_polled_and_counted_separately(
    imap_server: ImapServer,  # noqa: F811
    config: ImapSettings,
):
    # given
    store = imap_server.store
    store.add("INBOX", b"Subject: a\r\n\r\na\r\n")
    store.add("Sales Box", b"Subject: b\r\n\r\nb\r\n")
    store.add("Sales Box", b"Subject: c\r\n\r\nc\r\n")
    config = dataclasses.replace(config, mailboxes=("INBOX", "Sales Box", "Missing"))
    ingest = FakeIngest(status=InboundMail.Status.REPLY)
    # when
    result = mail_poll(config=config, ingest=ingest)
    # then
    boxes = {b.mailbox: b for b in result.mailboxes}
    assert boxes["INBOX"].counts == {"reply": 1}
    assert boxes["Sales Box"].counts == {"reply": 2}
    assert [mailbox for _, _, mailbox in ingest.calls] == ["INBOX", "Sales Box", "Sales Box"]
    assert store.unseen("Sales Box") == []
    assert boxes["Missing"].counts == {}
    assert boxes["Missing"].errors == [
        "Missing: the server refused to open this mailbox ([NONEXISTENT] No such mailbox)."
    ]
    assert result.as_dict()["counts"] == {"reply": 3}


def test_a_failing_ingest_leaves_that_message_unseen_and_the_others_go_on(
    imap_server: ImapServer,  # noqa: F811
    config: ImapSettings,
):
    # given
    store = imap_server.store
    good1 = store.add("INBOX", b"Subject: 1\r\n\r\nfine\r\n")
    bad = store.add("INBOX", b"Subject: 2\r\n\r\nBOOM\r\n")
    good2 = store.add("INBOX", b"Subject: 3\r\n\r\nfine\r\n")
    ingest = FakeIngest()
    # when
    result = mail_poll(config=config, ingest=ingest)
    # then
    assert len(ingest.calls) == 3
    assert result.counts == {"ticket": 2}
    assert store.flags("INBOX", good1) == {SEEN}
    assert store.flags("INBOX", good2) == {SEEN}
    assert store.unseen("INBOX") == [bad]
    assert result.errors == [
        f"INBOX UID {bad}: not ingested, left unseen for the next poll "
        "(RuntimeError: database is down)."
    ]
    # and the next poll tries it again
    again = FakeIngest()
    mail_poll(config=config, ingest=again)
    assert [raw for raw, _, _ in again.calls] == [b"Subject: 2\r\n\r\nBOOM\r\n"]


def test_duplicates_are_counted_and_flagged_and_the_limit_spans_mailboxes(
    imap_server: ImapServer,  # noqa: F811
    config: ImapSettings,
):
    # given
    store = imap_server.store
    store.add("INBOX", b"Subject: dup\r\n\r\nx\r\n")
    store.add("Other", b"Subject: o1\r\n\r\no\r\n")
    store.add("Other", b"Subject: o2\r\n\r\no\r\n")
    ingest = FakeIngest()
    ingest.duplicates.add(b"Subject: dup\r\n\r\nx\r\n")
    config = dataclasses.replace(config, mailboxes=("INBOX", "Other"), limit=2)
    # when
    result = mail_poll(config=config, ingest=ingest)
    # then
    assert result.counts == {"duplicate": 1, "ticket": 1}
    assert store.unseen("INBOX") == []
    assert len(store.unseen("Other")) == 1
    assert mail_poll(config=config, ingest=ingest, limit=5).counts == {"ticket": 1}


def test_starttls_upgrades_before_logging_in(imap_certs: Certs):  # noqa: F811
    # given
    with ImapServer(imap_certs.server_context(), starttls=True) as server:
        server.store.add("INBOX", b"Subject: s\r\n\r\ns\r\n")
        config = ImapSettings(
            host="127.0.0.1",
            port=server.port,
            username=USERNAME,
            password=PASSWORD,
            security="starttls",
            cafile=str(imap_certs.ca_file),
            timeout=5,
        )
        # when
        result = mail_poll(config=config, ingest=FakeIngest())
        # then
        assert result.counts == {"ticket": 1}
        assert server.store.commands[:2] == ["CAPABILITY", "STARTTLS"]


def test_a_certificate_not_signed_by_a_trusted_ca_is_refused_with_a_clear_error(
    imap_certs: Certs,  # noqa: F811
):
    # given a server whose certificate names localhost but was signed by an unknown CA
    with ImapServer(imap_certs.server_context(rogue=True)) as server:
        server.store.add("INBOX", b"Subject: s\r\n\r\ns\r\n")
        config = ImapSettings(
            host="localhost",
            port=server.port,
            username=USERNAME,
            password=PASSWORD,
            cafile=str(imap_certs.ca_file),
            timeout=5,
        )
        ingest = FakeIngest()
        # when
        with pytest.raises(ImapError) as refused:
            mail_poll(config=config, ingest=ingest)
        # then
        message = refused.value.message
        assert f"localhost:{server.port}" in message
        assert "certificate verify failed" in message
        assert "cafile" in message
        assert "LOGIN" not in server.store.commands  # the password never left
        assert ingest.calls == []


def test_without_cafile_the_system_trust_does_not_accept_a_private_ca(config: ImapSettings):
    # when
    with pytest.raises(ImapError) as refused:
        mail_poll(config=dataclasses.replace(config, cafile=""), ingest=FakeIngest())
    # then
    assert "certificate verify failed" in refused.value.message


def test_a_wrong_password_is_a_clear_error_without_the_password(config: ImapSettings):
    # when
    with pytest.raises(ImapError) as refused:
        mail_poll(config=dataclasses.replace(config, password="nope-123"), ingest=FakeIngest())
    # then
    message = refused.value.message
    assert f"refused the login of {USERNAME}" in message
    assert "AUTHENTICATIONFAILED" in message
    assert "nope-123" not in message


def test_a_closed_port_says_the_connection_was_refused(config: ImapSettings):
    # given a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # when
    with pytest.raises(ImapError) as refused:
        mail_poll(config=dataclasses.replace(config, port=port), ingest=FakeIngest())
    # then
    assert refused.value.message == (
        f"IMAP server localhost:{port}, connecting: the connection was refused: is the port "
        "right and the server running?."
    )


def test_settings_defaults_and_refusals(settings):
    # given no setting
    settings.SHOPDESK_MAIL_IMAP = {}
    # then
    assert imap_settings() is None
    # given a minimal one
    settings.SHOPDESK_MAIL_IMAP = {
        "host": "imap.example.com",
        "username": "u",
        "password": "s3cret-pw",
    }
    config = imap_settings()
    assert config is not None
    assert (config.address, config.mailboxes, config.security) == (
        "imap.example.com:993",
        ("INBOX",),
        "ssl",
    )
    assert "s3cret-pw" not in repr(config)
    starttls = imap_settings_from(
        {"host": "h", "username": "u", "password": "p", "security": "STARTTLS"}
    )
    assert starttls.address == "h:143"
    # unencrypted only on this machine, and nothing unknown
    with pytest.raises(ImapError, match="allowed only for a server on this machine"):
        imap_settings_from(
            {"host": "imap.example.com", "username": "u", "password": "p", "security": "none"}
        )
    assert (
        imap_settings_from(
            {"host": "127.0.0.1", "username": "u", "password": "p", "security": "none"}
        ).address
        == "127.0.0.1:143"
    )
    with pytest.raises(ImapError, match="unknown keys: pasword"):
        imap_settings_from({"host": "h", "username": "u", "pasword": "p"})
    with pytest.raises(ImapError, match="needs a password"):
        imap_settings_from({"host": "h", "username": "u"})


@pytest.mark.django_db
def test_poll_refuses_to_run_inside_a_transaction(config: ImapSettings):
    # when (pytest-django's db fixture wraps the test in a transaction)
    with pytest.raises(ImapError, match="outside a database transaction"):
        mail_poll(config=config, ingest=FakeIngest())


@pytest.fixture
def configured(settings, config: ImapSettings) -> FakeIngest:
    settings.SHOPDESK_MAIL_IMAP = {
        "host": config.host,
        "port": config.port,
        "username": config.username,
        "password": config.password,
        "cafile": config.cafile,
        "timeout": 5,
    }
    return FakeIngest()


def test_command_json_summary(
    imap_server: ImapServer,  # noqa: F811
    configured: FakeIngest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    # given
    imap_server.store.add("INBOX", b"Subject: a\r\n\r\na\r\n")
    imap_server.store.add("Sales", b"Subject: b\r\n\r\nb\r\n")
    monkeypatch.setattr(
        "shopdesk.mail.management.commands.mail_poll.mail_poll",
        functools.partial(imap.mail_poll, ingest=configured),
    )
    # when
    call_command("mail_poll", "--mailbox", "INBOX", "--mailbox", "Sales", "--json")
    # then
    out = json.loads(capsys.readouterr().out)
    assert out == {
        "counts": {"ticket": 2},
        "errors": [],
        "mailboxes": [
            {"mailbox": "INBOX", "counts": {"ticket": 1}, "errors": []},
            {"mailbox": "Sales", "counts": {"ticket": 1}, "errors": []},
        ],
    }


def test_command_exits_non_zero_when_not_configured_or_unreachable(settings, config):
    # given
    settings.SHOPDESK_MAIL_IMAP = None
    # then
    with pytest.raises(CommandError, match="set SHOPDESK_MAIL_IMAP .* see docs/operators.md"):
        call_command("mail_poll")
    settings.SHOPDESK_MAIL_IMAP = {
        "host": "localhost",
        "port": config.port,
        "username": USERNAME,
        "password": "wrong",
        "cafile": config.cafile,
    }
    with pytest.raises(CommandError, match="refused the login"):
        call_command("mail_poll")


@pytest.mark.django_db(transaction=True)
def test_end_to_end_a_polled_message_opens_a_ticket_once(
    imap_server: ImapServer,  # noqa: F811
    configured: FakeIngest,
    capsys: pytest.CaptureFixture[str],
):
    # given a customer's mail, and the same message delivered again to a second folder
    CategoryFactory(code="other")  # a transactional test before this one may have flushed it
    raw = raw_mail(subject="快递三天没动了", body="我的包裹三天没有物流更新，请帮我查一下。")
    imap_server.store.add("INBOX", raw)
    imap_server.store.add("Archive", raw)
    # when
    call_command("mail_poll", "--mailbox", "INBOX", "--mailbox", "Archive", "--json")
    # then
    out = json.loads(capsys.readouterr().out)
    assert out["counts"] == {"ticket": 1, "duplicate": 1}
    mail = InboundMail.objects.get()
    assert (mail.source, mail.mailbox, mail.status) == ("imap", "INBOX", "ticket")
    assert mail.raw() == raw
    assert mail.ticket is not None
    assert mail.ticket.subject == "快递三天没动了"
    assert imap_server.store.unseen("INBOX") == imap_server.store.unseen("Archive") == []


def test_folder_names_go_over_the_wire_in_modified_utf7(
    imap_server: ImapServer,  # noqa: F811
    config: ImapSettings,
):
    # given a Chinese folder, stored by the server under its wire name (RFC 3501 5.1.3)
    assert imap._utf7("~peter/mail/台北/日本語") == "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
    assert imap._utf7("R&D") == "R&-D"
    imap_server.store.add("&VS5UDg-", b"Subject: s\r\n\r\ns\r\n")
    ingest = FakeIngest()
    # when
    result = mail_poll(config=dataclasses.replace(config, mailboxes=("售后",)), ingest=ingest)
    # then
    assert result.mailboxes[0].counts == {"ticket": 1}
    assert [mailbox for _, _, mailbox in ingest.calls] == ["售后"]


def test_command_prints_a_summary_and_exits_non_zero_when_a_message_failed(
    imap_server: ImapServer,  # noqa: F811
    configured: FakeIngest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    # given
    imap_server.store.add("INBOX", b"Subject: a\r\n\r\na\r\n")
    bad = imap_server.store.add("INBOX", b"Subject: b\r\n\r\nBOOM\r\n")
    monkeypatch.setattr(
        "shopdesk.mail.management.commands.mail_poll.mail_poll",
        functools.partial(imap.mail_poll, ingest=configured),
    )
    # when
    with pytest.raises(CommandError, match=r"1 problem\(s\) during the poll"):
        call_command("mail_poll", "--limit", "5")
    # then
    captured = capsys.readouterr()
    assert captured.out == "INBOX: ticket 1\n"
    assert f"INBOX UID {bad}: not ingested" in captured.err
