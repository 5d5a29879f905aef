import pytest
from django.contrib.auth.models import Group

from shopdesk.accounts.models import User
from shopdesk.accounts.permissions import Perm
from shopdesk.accounts.roles import ROLE_PERMISSIONS, Role, roles_sync
from shopdesk.accounts.services import customer_pii_reveal
from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.audit.models import AuditEvent


@pytest.mark.django_db
def test_every_role_group_exists_with_exactly_its_permissions() -> None:
    # when
    roles_sync()
    # then
    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        codes = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert codes == {p.value for p in perms}, role


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "can_see_pii"),
    [
        (Role.ADMIN, True),
        (Role.SUPERVISOR, True),
        (Role.AGENT, True),
        (Role.MERCHANT_STAFF, False),
        (Role.QUALITY_MANAGER, False),
    ],
)
def test_role_decides_personal_data_permission(role: Role, can_see_pii: bool) -> None:
    user: User = UserFactory(role=role)
    assert user.has_perm(Perm.VIEW_CUSTOMER_PII) is can_see_pii


@pytest.mark.django_db
def test_pii_reveal_decrypts_and_writes_an_audit_record(agent: User) -> None:
    # given
    customer = CustomerFactory(name="王小明", phone="13712345678")
    # when
    contact = customer_pii_reveal(customer=customer, actor=agent, reason="ticket 42")
    # then
    assert contact.name == "王小明"
    assert contact.phone == "13712345678"
    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.PII_VIEWED
    assert event.actor_id == agent.pk
    assert event.object_id == str(customer.pk)
    assert event.data["reason"] == "ticket 42"


@pytest.mark.django_db
def test_customer_shows_masked_values() -> None:
    customer = CustomerFactory(name="王小明", phone="13712345678", email="wang@example.com")
    assert customer.masked_name == "王**"
    assert customer.masked_phone == "137****5678"
    assert customer.masked_email == "w***@example.com"
