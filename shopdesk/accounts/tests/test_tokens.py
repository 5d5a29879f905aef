"""API tokens: issue (shown once, stored hashed), authenticate, revoke, and the two commands."""

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command

from shopdesk.accounts.models import ApiToken, User
from shopdesk.accounts.tests.factories import UserFactory
from shopdesk.accounts.tokens import api_token_authenticate, api_token_issue, api_token_revoke
from shopdesk.audit.models import AuditEvent


def test_issued_token_authenticates_and_only_its_hash_is_stored(agent: User) -> None:
    # when
    token, clear = api_token_issue(user=agent, name="erp")
    # then
    assert clear.startswith(f"sd_{token.prefix}_")
    secret = clear.split("_", 2)[2]
    stored = ApiToken.objects.get()
    assert secret not in stored.key_hash
    assert len(stored.key_hash) == 64
    assert api_token_authenticate(clear) == agent
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_ISSUED).count() == 1


def test_authenticate_marks_last_use(agent: User) -> None:
    # given
    token, clear = api_token_issue(user=agent, name="erp")
    # when
    api_token_authenticate(clear)
    # then
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda clear: clear[:-3] + "abc",  # wrong secret
        lambda clear: "sd_ffffffff_" + clear.split("_", 2)[2],  # unknown prefix
        lambda clear: clear.replace("sd_", "xx_", 1),  # not our scheme
        lambda clear: "sd_only",  # malformed
        lambda clear: "",
    ],
)
def test_wrong_tokens_do_not_authenticate(agent: User, mangle) -> None:
    # given
    _, clear = api_token_issue(user=agent, name="erp")
    # when / then
    assert api_token_authenticate(mangle(clear)) is None


def test_revoked_token_and_inactive_user_do_not_authenticate(agent: User) -> None:
    # given
    token, clear = api_token_issue(user=agent, name="erp")
    other = UserFactory(is_active=False)
    _, inactive_clear = api_token_issue(user=other, name="old")
    # when
    api_token_revoke(token=token)
    # then
    assert api_token_authenticate(clear) is None
    assert api_token_authenticate(inactive_clear) is None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_REVOKED).count() == 1


def test_issue_command_prints_the_token_once_on_stdout(agent: User) -> None:
    # given
    out, err = StringIO(), StringIO()
    # when
    call_command("tokens_issue", user=agent.username, name="erp", stdout=out, stderr=err)
    # then
    clear = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert clear.startswith(f"sd_{token.prefix}_")
    assert api_token_authenticate(clear) == agent
    assert token.prefix in err.getvalue()
    assert clear not in err.getvalue()
    assert token.name == "erp"


@pytest.mark.parametrize(
    ("user_kind", "name", "message"),
    [("missing", "erp", "No user 'nobody'"), ("agent", "  ", "--name must not be empty")],
)
def test_issue_command_explains_bad_input(
    agent: User, user_kind: str, name: str, message: str
) -> None:
    # given
    username = agent.username if user_kind == "agent" else "nobody"
    # when / then
    with pytest.raises(CommandError, match=message):
        call_command("tokens_issue", user=username, name=name, stdout=StringIO())
    assert ApiToken.objects.count() == 0


def test_issue_command_refuses_a_deactivated_user(db: None) -> None:
    # given
    user = UserFactory(is_active=False)
    # when / then
    with pytest.raises(CommandError, match="deactivated"):
        call_command("tokens_issue", user=user.username, name="erp", stdout=StringIO())
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize("use_whole_token", [False, True])
def test_revoke_command_by_prefix_or_whole_token(agent: User, use_whole_token: bool) -> None:
    # given
    token, clear = api_token_issue(user=agent, name="erp")
    out = StringIO()
    # when
    call_command("tokens_revoke", clear if use_whole_token else token.prefix, stdout=out)
    # then
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(clear) is None
    assert token.prefix in out.getvalue()
    assert clear not in out.getvalue()


def test_revoke_command_twice_keeps_the_first_revocation(agent: User) -> None:
    # given
    token, _ = api_token_issue(user=agent, name="erp")
    call_command("tokens_revoke", token.prefix, stdout=StringIO())
    token.refresh_from_db()
    first = token.revoked_at
    out = StringIO()
    # when
    call_command("tokens_revoke", token.prefix, stdout=out)
    # then
    token.refresh_from_db()
    assert token.revoked_at == first
    assert "already revoked" in out.getvalue()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_REVOKED).count() == 1


def test_revoke_command_with_unknown_prefix_says_so(db: None) -> None:
    # when / then
    with pytest.raises(CommandError, match="No token with prefix 'deadbeef'"):
        call_command("tokens_revoke", "deadbeef", stdout=StringIO())


def test_authenticated_user_carries_its_permissions(
    agent: User, django_assert_num_queries: Any
) -> None:
    # given a token used a moment ago (no last-use write due) and a permission given directly
    agent.user_permissions.add(Permission.objects.get(codename="view_customer_pii"))
    _, clear = api_token_issue(user=agent, name="erp")
    api_token_authenticate(clear)
    # when
    with django_assert_num_queries(2):
        user = api_token_authenticate(clear)
        assert user is not None
        # then the role's and the user's own permissions answer without another query
        assert user.has_perm("tickets.add_ticket")
        assert user.has_perm("accounts.view_customer_pii")
        assert not user.has_perm("tickets.delete_ticket")
        assert not hasattr(user, "customer")
