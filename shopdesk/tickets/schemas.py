"""Request and response shapes of the tickets API.

Messages are plain text in and out: HTML or script in a body is stored and returned as the
characters sent, never interpreted. Customer contact data leaves the API masked only.
"""

import base64
import binascii
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from django.urls import reverse
from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints, field_validator, model_validator

from shopdesk.accounts.models import Customer, User
from shopdesk.orders.models import Order
from shopdesk.orders.schemas import CustomerOut, MerchantOut
from shopdesk.tickets.models import Attachment, Ticket, TicketEvent
from shopdesk.tickets.selectors import TicketFilter
from shopdesk.tickets.services import IncomingFile, IntakeResult, RefusedFile, TicketIntake
from shopdesk.tickets.states import AuthorKind, Channel, EventType, Party, Priority, TicketStatus


def _utc(value: datetime) -> datetime:
    # One spelling for one instant: a fresh in-memory ticket and a reloaded one answer alike.
    return value.astimezone(UTC)


Moment = Annotated[datetime, AfterValidator(_utc)]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
# The console's queues (selectors.QUEUES); "all" is every ticket the caller may see.
Queue = Literal["mine", "team", "unassigned", "breaching", "merchant", "all"]
Version = Annotated[
    int | None,
    Field(
        None,
        description="The ticket `version` you last read; if it changed since, the answer is "
        "409 `concurrent_update` with the current ticket.",
    ),
]


# --- out -----------------------------------------------------------------------------------------


class CategoryOut(Schema):
    code: str
    label: str


class UserRefOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class TicketOut(Schema):
    id: int
    number: str | None
    subject: str
    status: TicketStatus
    priority: Priority
    channel: Channel
    category: CategoryOut
    language: str
    responsible_party: Party
    customer: CustomerOut
    order_id: int | None
    merchant_id: int | None
    team_id: int | None
    assignee: UserRefOut | None
    tags: list[str]
    sla_due_at: Moment | None = Field(..., description="The earliest pending SLA target.")
    sla_paused_at: Moment | None
    sla_breached_at: Moment | None
    created_at: Moment
    updated_at: Moment
    version: int = Field(..., description="Send it back as `version` to refuse stale writes.")

    @staticmethod
    def resolve_tags(obj: Ticket) -> list[str]:
        return sorted(tag.name for tag in obj.tags.all())


class TicketPageOut(Schema):
    items: list[TicketOut]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null on the last page."
    )


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str = Field(..., description="Download it with the same credentials.")

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return reverse("api:ticket_attachment", kwargs={"attachment_id": obj.pk})


class TicketEventOut(Schema):
    id: int
    type: EventType
    is_public: bool = Field(..., description="False for internal notes and internal events.")
    author_kind: AuthorKind
    author: UserRefOut | None
    body: str = Field(..., description="Plain text, exactly as written.")
    data: dict[str, Any]
    created_at: Moment
    attachments: list[AttachmentOut]


class SlaClocksOut(Schema):
    first_reply_due_at: Moment | None
    first_replied_at: Moment | None
    next_reply_due_at: Moment | None
    resolution_due_at: Moment | None
    merchant_due_at: Moment | None
    due_at: Moment | None = Field(..., alias="sla_due_at")
    paused_at: Moment | None = Field(..., alias="sla_paused_at")
    breached_at: Moment | None = Field(..., alias="sla_breached_at")


class PartyOut(Schema):
    responsible_party: Party
    merchant: MerchantOut | None
    last_handoff_from: str
    handoff_reason: str
    handoff_count: int
    bounce_count: int


class RatingOut(Schema):
    rating: int | None
    comment: str = Field(..., alias="rating_comment")
    rated_at: Moment | None


class TicketDetailOut(TicketOut):
    parent_id: int | None = Field(..., description="The ticket this complaint is about.")
    status_changed_at: Moment | None
    resolved_at: Moment | None
    closed_at: Moment | None
    reopen_count: int
    sla: SlaClocksOut
    party: PartyOut
    rating: RatingOut
    timeline: list[TicketEventOut] = Field(default_factory=list, description="Oldest first.")

    @staticmethod
    def resolve_sla(obj: Ticket) -> Ticket:
        return obj

    @staticmethod
    def resolve_party(obj: Ticket) -> Ticket:
        return obj

    @staticmethod
    def resolve_rating(obj: Ticket) -> Ticket:
        return obj

    @classmethod
    def from_ticket(cls, ticket: Ticket, *, timeline: Sequence[TicketEvent]) -> "TicketDetailOut":
        detail = cls.model_validate(ticket)
        detail.timeline = [TicketEventOut.model_validate(event) for event in timeline]
        return detail


class RefusedAttachmentOut(Schema):
    name: str
    reason: str


def _refused(files: Sequence[RefusedFile]) -> list[RefusedAttachmentOut]:
    return [RefusedAttachmentOut(name=f.name, reason=f.reason) for f in files]


class TicketCreatedOut(TicketOut):
    refused_attachments: list[RefusedAttachmentOut] = Field(
        default_factory=list,
        description="Files not kept, with the reason; the ticket is kept. Empty on a retry.",
    )

    @classmethod
    def from_result(cls, result: IntakeResult) -> "TicketCreatedOut":
        out = cls.model_validate(result.ticket)
        out.refused_attachments = _refused(result.refused_files)
        return out


class TicketMessageOut(Schema):
    """Made from a services.MessageResult."""

    ticket: TicketOut
    event: TicketEventOut
    refused_attachments: list[RefusedAttachmentOut] = Field(
        ..., alias="refused_files", description="Files not kept, with the reason."
    )


class TicketConflictOut(Schema):
    detail: str
    code: str
    current: TicketOut = Field(..., description="The ticket as it is now: check and retry.")


# --- in ------------------------------------------------------------------------------------------


class AttachmentIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    content_base64: str = Field(..., description="The file's bytes, base64-encoded.")

    @field_validator("content_base64")
    @classmethod
    def _is_base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"content_base64 is not valid base64 ({exc}).") from exc
        return value

    def to_file(self) -> IncomingFile:
        return IncomingFile(name=self.name, content=base64.b64decode(self.content_base64))


def _files(attachments: Sequence[AttachmentIn]) -> list[IncomingFile]:
    return [a.to_file() for a in attachments]


class ExternalRefIn(Schema):
    source: Ref = Field(..., description="The shop system, e.g. `shopify`.")
    external_id: Ref


class TicketCreateIn(Schema):
    """Name the customer (`customer_id` or `customer`) or an order (which implies its customer)."""

    customer_id: int | None = None
    customer: ExternalRefIn | None = None
    order: ExternalRefIn | None = None
    category: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] = Field(
        ..., description="A category code, e.g. `not_received`."
    )
    description: str = Field(..., min_length=1, description="Plain text.")
    subject: Text = Field("", max_length=200, description="Empty: the description's first line.")
    priority: Priority = Priority.NORMAL
    channel: Literal["api", "phone", "email", "chat"] = Field(
        "api", description="`phone` when an agent logs a call."
    )
    tags: list[Annotated[str, StringConstraints(max_length=50)]] = Field(
        default_factory=list, max_length=20
    )
    language: str = Field("", max_length=10, description="Empty: the customer's language.")
    attachments: list[AttachmentIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names_someone(self) -> "TicketCreateIn":
        if self.customer_id is None and self.customer is None and self.order is None:
            raise ValueError("Give customer_id, customer {source, external_id} or order.")
        return self

    def customer_ref(self) -> tuple[str, str] | None:
        return (self.customer.source, self.customer.external_id) if self.customer else None

    def order_ref(self) -> tuple[str, str] | None:
        return (self.order.source, self.order.external_id) if self.order else None

    def to_intake(
        self, *, customer: Customer, order: Order | None, actor: User, intake_key: str
    ) -> TicketIntake:
        return TicketIntake(
            channel=self.channel,
            customer=customer,
            category_code=self.category,
            description=self.description,
            subject=self.subject,
            order=order,
            priority=self.priority,
            language=self.language,
            files=_files(self.attachments),
            actor=actor,
            intake_key=intake_key,
            tags=self.tags,
        )


class TicketListQuery(Schema):
    """Every condition is optional; all given conditions must hold."""

    queue: Queue = "all"
    status: TicketStatus | None = None
    priority: Priority | None = None
    category: Text = Field("", description="Category code.")
    channel: Channel | None = None
    party: Party | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    customer_id: int | None = None
    order_id: int | None = None
    created_from: date | None = Field(None, description="YYYY-MM-DD, inclusive.")
    created_to: date | None = Field(None, description="YYYY-MM-DD, inclusive.")
    breached: bool | None = None
    q: Text = Field("", description="A ticket number or an order number.")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=200)

    def to_filter(self) -> TicketFilter:
        return TicketFilter(
            queue=self.queue,
            status=self.status or "",
            priority=self.priority or "",
            category=self.category,
            channel=self.channel or "",
            party=self.party or "",
            assignee_id=self.assignee_id,
            team_id=self.team_id,
            customer_id=self.customer_id,
            order_id=self.order_id,
            created_from=self.created_from,
            created_to=self.created_to,
            breached=self.breached,
            q=self.q,
        )


class TicketReplyIn(Schema):
    body: str = Field("", description="Plain text the customer will see.")
    attachments: list[AttachmentIn] = Field(default_factory=list)
    status_after: TicketStatus | None = Field(None, description="e.g. `pending_customer`.")
    version: Version

    def files(self) -> list[IncomingFile]:
        return _files(self.attachments)


class TicketNoteIn(Schema):
    body: str = Field("", description="Internal: never shown to the customer.")
    attachments: list[AttachmentIn] = Field(default_factory=list)

    def files(self) -> list[IncomingFile]:
        return _files(self.attachments)


class TicketTransitionIn(Schema):
    to: TicketStatus
    note: str = Field("", max_length=2000)
    version: Version


class TicketAssignIn(Schema):
    assignee_id: int | None = Field(..., description="null: back to the team's queue.")
    reason: str = Field(..., min_length=1, max_length=500)
    version: Version


class TicketHandOffIn(Schema):
    to_party: Party
    reason: str = Field(..., max_length=500, description="Shown to the customer.")
    version: Version


class TicketRateIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)


class TicketComplainIn(Schema):
    body: str = Field("", max_length=20_000, description="Why the customer is not satisfied.")
