"""`shopdesk bench mail`: how fast the e-mail channel takes in a realistic mixed corpus.

The corpus is made in memory, seeded, never written to the repository: new messages and
replies (In-Reply-To an earlier message of the same sender) in UTF-8, GB2312, GBK, GB18030, Big5,
ISO-2022-JP and Shift_JIS, base64 and quoted-printable, HTML-only mail, a mislabelled charset,
photos attached, auto-replies, bounces and malformed messages. Each message goes through
`mail_ingest` exactly as a relay or poll would (parse, thread, customer, ticket with SLA and
routing, attachments, the outbox). Only the ingest is timed.
"""

import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime

from django.db import connection
from django.utils import timezone

from shopdesk.mail.models import InboundMail
from shopdesk.mail.services import mail_ingest

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 60  # ~15 KB, sniffed as an image

TEXTS = {
    "zh": [
        "我的订单还没有发货，请尽快处理。订单号 {n}。",
        "收到的商品有破损，外包装也压坏了，想申请退货。",
        "发票抬头开错了，需要重新开具增值税普通发票。",
        "快递显示已签收，但我没有收到包裹，请帮忙查一下。",
    ],
    "tw": ["我的訂單還沒有出貨，請盡快處理。", "收到的商品顏色不對，想要換貨。"],
    "ja": ["注文した商品がまだ届きません。確認をお願いします。", "商品が破損していました。"],
    "en": ["My parcel has not arrived yet, order {n}.", "The item I received is broken."],
}
CHARSETS = [  # (charset, text family, share of the corpus)
    ("utf-8", "zh", 0.30),
    ("gb2312", "zh", 0.15),
    ("gbk", "zh", 0.10),
    ("gb18030", "zh", 0.05),
    ("big5", "tw", 0.10),
    ("iso-2022-jp", "ja", 0.10),
    ("shift_jis", "ja", 0.05),
    ("us-ascii", "en", 0.15),
]


@dataclass(frozen=True)
class MailBenchConfig:
    messages: int = 10_000
    senders: int = 2_000
    seed: int = 42


def _message(rng: random.Random, i: int, sender: str, earlier: str | None) -> bytes:
    charset, family, _ = rng.choices(CHARSETS, weights=[c[2] for c in CHARSETS])[0]
    body = rng.choice(TEXTS[family]).format(n=f"SO{i:08d}")
    body += "\n\n" + "\n".join(f"> {line}" for line in TEXTS[family][:2])  # quoted history
    kind = rng.random()
    text = MIMEText(body, "plain", charset)
    if kind < 0.05:  # HTML-only
        html = f"<html><body><p>{body}</p><script>x()</script></body></html>"
        text = MIMEText(html, "html", "utf-8")
    if rng.random() < 0.2:
        message: MIMEMultipart | MIMEText = MIMEMultipart()
        message.attach(text)
        photo = MIMEApplication(PNG, "png", Name=f"photo-{i}.png")
        photo["Content-Disposition"] = f'attachment; filename="photo-{i}.png"'
        message.attach(photo)
    else:
        message = text
    subject = body.splitlines()[0][:40].replace("{n}", "")
    header = Header(("Re: " if earlier else "") + subject, charset)
    message["Subject"] = header  # type: ignore[assignment]  # compat32 takes a Header
    message["From"] = sender
    message["To"] = "support@localhost"
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = f"<bench-{i}@mail.example>"
    if earlier:
        message["In-Reply-To"] = earlier
        message["References"] = earlier
    if kind > 0.97:
        message["Auto-Submitted"] = "auto-replied"
    raw = message.as_bytes()
    if 0.95 < kind <= 0.96:  # a mislabelled one: GBK bytes declared as Latin-1
        raw = raw.replace(b'charset="gb2312"', b'charset="iso-8859-1"')
    if 0.96 < kind <= 0.965:
        raw = b"\x00\x01 this is not an e-mail \xff" * 10  # malformed: quarantined
    return raw


def corpus(config: MailBenchConfig) -> list[bytes]:
    rng = random.Random(config.seed)  # noqa: S311 - a reproducible corpus, not a secret
    sent: dict[str, str] = {}
    messages = []
    for i in range(config.messages):
        sender = f"buyer{rng.randrange(config.senders)}@example.com"
        earlier = sent.get(sender) if rng.random() < 0.3 else None
        messages.append(_message(rng, i, sender, earlier))
        sent[sender] = f"<bench-{i}@mail.example>"
    return messages


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def bench_mail_ingest(
    config: MailBenchConfig, progress: Callable[[str], None] = lambda _: None
) -> dict[str, object]:
    progress(f"building a corpus of {config.messages} messages")
    raws = corpus(config)
    megabytes = sum(len(r) for r in raws) / 2**20
    progress(f"ingesting ({megabytes:.1f} MB) on {connection.vendor}")
    counts: Counter[str] = Counter()
    timings: list[float] = []
    started = time.perf_counter()
    for index, raw in enumerate(raws, 1):
        t0 = time.perf_counter()
        result = mail_ingest(raw=raw, source=InboundMail.Source.FILE, mailbox="bench")
        timings.append((time.perf_counter() - t0) * 1000)
        counts["duplicate" if result.duplicate else result.mail.status] += 1
        if index % 1000 == 0:
            progress(f"{index} ingested")
    elapsed = time.perf_counter() - started
    rate = config.messages / elapsed
    return {
        "database": connection.vendor,
        "messages": config.messages,
        "corpus_mb": round(megabytes, 1),
        "seconds": round(elapsed, 2),
        "messages_per_s": round(rate, 1),
        # The target is set on SQLite, the one-process install; other databases are
        # reported against nothing.
        "target_messages_per_s": 200 if connection.vendor == "sqlite" else None,
        "met": rate >= 200 if connection.vendor == "sqlite" else None,
        "per_message_ms": {
            "mean": round(statistics.fmean(timings), 2),
            "p50": _pct(timings, 0.5),
            "p95": _pct(timings, 0.95),
            "max": round(max(timings), 2),
        },
        "outcomes": dict(counts),
    }
