"""Roles are auth Groups with a fixed set of permissions, rebuilt after every migrate."""

from enum import StrEnum

from django.contrib.auth.models import Group, Permission

from shopdesk.accounts.permissions import Perm


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    MERCHANT_STAFF = "merchant_staff"
    QUALITY_MANAGER = "quality_manager"


SURVEY_WORK = frozenset(
    {
        Perm.VIEW_QUESTIONNAIRE,
        Perm.ADD_QUESTIONNAIRE,
        Perm.CHANGE_QUESTIONNAIRE,
        Perm.VIEW_SURVEY,
        Perm.ADD_SURVEY,
        Perm.CHANGE_SURVEY,
        Perm.VIEW_RESPONSE,
    }
)
SURVEY_VIEW = frozenset({Perm.VIEW_QUESTIONNAIRE, Perm.VIEW_SURVEY, Perm.VIEW_RESPONSE})

# What every person answering tickets may do: see, log (phone), change status, reply, transfer.
TICKET_WORK = frozenset(
    {
        Perm.VIEW_TICKET,
        Perm.ADD_TICKET,
        Perm.CHANGE_TICKET,
        Perm.REPLY_TICKET,
        Perm.ASSIGN_TICKET,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.ADMIN: frozenset(Perm),
    Role.SUPERVISOR: frozenset(
        {
            Perm.VIEW_ORDER,
            Perm.CHANGE_ORDER,
            Perm.ADD_LOGISTICS_EVENT,
            Perm.VIEW_CUSTOMER,
            Perm.VIEW_CUSTOMER_PII,
            Perm.VIEW_MERCHANT,
            Perm.VIEW_ORDER_STATS,
            Perm.VIEW_AUDIT,
            *TICKET_WORK,
            Perm.OVERRIDE_TICKET,
            Perm.VIEW_TICKET_STATS,
            Perm.WORK_CHAT,
            *SURVEY_VIEW,
        }
    ),
    Role.AGENT: frozenset(
        {
            Perm.VIEW_ORDER,
            Perm.VIEW_CUSTOMER,
            Perm.VIEW_CUSTOMER_PII,
            Perm.VIEW_MERCHANT,
            *TICKET_WORK,
            Perm.WORK_CHAT,
        }
    ),
    # Merchant staff are further scoped to their own merchant by the selectors.
    Role.MERCHANT_STAFF: frozenset(
        {
            Perm.VIEW_ORDER,
            Perm.ADD_ORDER,
            Perm.ADD_LOGISTICS_EVENT,
            Perm.VIEW_ORDER_STATS,
            Perm.VIEW_TICKET,
            Perm.CHANGE_TICKET,
            Perm.REPLY_TICKET,
            Perm.WORK_CHAT,
        }
    ),
    Role.QUALITY_MANAGER: frozenset(
        {
            Perm.VIEW_ORDER,
            Perm.VIEW_CUSTOMER,
            Perm.VIEW_ORDER_STATS,
            Perm.VIEW_AUDIT,
            Perm.VIEW_TICKET,
            Perm.VIEW_TICKET_STATS,
            *SURVEY_WORK,
        }
    ),
}


def roles_sync(*, using: str = "default") -> None:
    """Create the role groups and set exactly the permissions listed in ROLE_PERMISSIONS."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        wanted: list[Permission] = []
        for perm in perms:
            app_label, codename = perm.value.split(".")
            found = Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename=codename
            )
            wanted.extend(found)
        group.permissions.set(wanted)
