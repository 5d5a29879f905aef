"""Shared pytest fixtures: one user per role, and a customer login."""

from pathlib import Path

import polib
import pytest

from shopdesk.accounts.models import User
from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, MerchantFactory, UserFactory


@pytest.fixture
def admin_user(db: None) -> User:
    return UserFactory(role=Role.ADMIN)


@pytest.fixture
def agent(db: None) -> User:
    return UserFactory(role=Role.AGENT)


@pytest.fixture
def supervisor(db: None) -> User:
    return UserFactory(role=Role.SUPERVISOR)


@pytest.fixture
def staff_without_role(db: None) -> User:
    """A staff login with no role: authenticated but holding no permission."""
    return UserFactory()


@pytest.fixture
def merchant_staff(db: None) -> User:
    return UserFactory(role=Role.MERCHANT_STAFF, merchant=MerchantFactory())


@pytest.fixture
def customer_user(db: None) -> User:
    user = UserFactory()
    CustomerFactory(user=user)
    return user


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile stale translation catalogues, so language tests work on a bare checkout too."""
    for po_path in Path(__file__).parent.glob("shopdesk/locale/*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
