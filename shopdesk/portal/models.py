"""One-time sign-in codes of the customer portal. Only a keyed hash of each code is kept."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shopdesk.accounts.models import Customer


class LoginCode(models.Model):
    # Keyed hash of the normalised phone or e-mail the code was asked for.
    contact_hash = models.CharField(max_length=64)
    # Empty for a contact that matches no customer: the row is still written so the hourly
    # limit, and so the answers, are the same whether or not the contact is known.
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="login_codes"
    )
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        indexes = [
            models.Index(fields=["contact_hash", "created_at"], name="logincode_contact_idx")
        ]

    def __str__(self) -> str:
        return f"{self.contact_hash[:8]}… {self.created_at:%Y-%m-%d %H:%M}"
