"""What every questionnaire edit shares: the frozen rule (a published or retired version never
changes), the compare-and-set on the version's counter, the audit line, and the errors."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.audit.models import AuditEvent
from shopdesk.audit.services import audit_record
from shopdesk.core.errors import ConcurrentUpdate, DomainError
from shopdesk.surveys.errors import SurveysErrorCode
from shopdesk.surveys.models import QuestionnaireVersion
from shopdesk.surveys.states import (
    VersionStatus,
)

Actor = AbstractBaseUser | AnonymousUser | None
# The operators the answering side evaluates (services.responses.is_shown).
CONDITION_OPS: Final = frozenset({"<=", ">=", "<", ">", "==", "!="})
_UNSET: Final[Any] = object()


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


class VersionFrozen(DomainError):
    """An edit of a published or retired version; answered 409 like other state conflicts."""

    code = SurveysErrorCode.PUBLISHED_IS_FROZEN
    status = 409


class PublishRefused(DomainError):
    """The draft has problems; `problems` lists every one, `message` joins them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        lines = "; ".join(p.message for p in problems)
        super().__init__(
            gettext("This version cannot be published yet: %(problems)s.") % {"problems": lines},
            code=problems[0].code,
        )
        self.problems = list(problems)


# --- the frozen rule and the compare-and-set ------------------------------------------------------


def version_refuse_if_frozen(version: QuestionnaireVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise VersionFrozen(
            gettext(
                "Version %(number)d is %(status)s and cannot change; make a new version to edit it."
            )
            % {"number": version.number, "status": version.get_status_display()}
        )


def version_bump(version: QuestionnaireVersion, **values: Any) -> None:
    """Write `values` and bump the counter if the draft is as the caller read it.

    Raises:
        DomainError(published_is_frozen): the version is (or meanwhile became) published.
        ConcurrentUpdate: someone else edited the draft since it was read.
    """
    version_refuse_if_frozen(version)
    now = timezone.now()
    updated = QuestionnaireVersion.objects.filter(
        pk=version.pk, version=version.version, status=VersionStatus.DRAFT
    ).update(version=F("version") + 1, updated_at=now, **values)
    if updated != 1:
        current = QuestionnaireVersion.objects.filter(pk=version.pk).first()
        if current is not None and current.status != VersionStatus.DRAFT:
            version_refuse_if_frozen(current)
        raise ConcurrentUpdate(
            gettext(
                "Someone else changed version %(number)d a moment ago; "
                "reload it and make your change again."
            )
            % {"number": version.number}
        )
    for name, value in values.items():
        setattr(version, name, value)
    version.version += 1
    version.updated_at = now


def version_audit(
    actor: Actor, action: AuditEvent.Action, version: QuestionnaireVersion, **data: Any
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="surveys.questionnaireversion",
        object_id=version.pk,
        data=data,
    )
