"""Staff users, merchants, customers (with encrypted contact data) and API tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shopdesk.core import crypto
from shopdesk.core.models import BaseModel


class Merchant(BaseModel):
    source = models.CharField(_("source"), max_length=32, default="manual")
    external_id = models.CharField(_("external id"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="merchant_source_ext_uq")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in: staff (by role group) or a customer (through `customer`)."""

    merchant = models.ForeignKey(
        Merchant,
        verbose_name=_("merchant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("Set for merchant staff: they see only this merchant's data."),
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Customer(BaseModel):
    class Tier(models.TextChoices):
        REGULAR = "regular", _("regular")
        SILVER = "silver", _("silver")
        GOLD = "gold", _("gold")
        VIP = "vip", _("high-value customer")

    source = models.CharField(_("source"), max_length=32, default="manual")
    external_id = models.CharField(_("external id"), max_length=64)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.REGULAR)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    # Encrypted at rest (Fernet); *_hash is a keyed hash of the normalised value for exact look-up.
    name_enc = models.TextField(blank=True, default="")
    phone_enc = models.TextField(blank=True, default="")
    email_enc = models.TextField(blank=True, default="")
    address_enc = models.TextField(blank=True, default="")
    name_hash = models.CharField(max_length=64, blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="")
    email_hash = models.CharField(max_length=64, blank=True, default="")
    # Coarse location is not personal on its own and is kept in clear for reports.
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="customer"
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [("view_customer_pii", "Can view unmasked personal data")]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="customer_source_ext_uq")
        ]
        # Partial: many imported customers have no phone or e-mail, and an empty hash is
        # never looked up, so those rows cost no index entry.
        indexes = [
            models.Index(
                fields=["phone_hash"], name="customer_phone_hash_idx", condition=~Q(phone_hash="")
            ),
            models.Index(
                fields=["email_hash"], name="customer_email_hash_idx", condition=~Q(email_hash="")
            ),
            models.Index(
                fields=["name_hash"], name="customer_name_hash_idx", condition=~Q(name_hash="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.masked_name or self.external_id}"

    @property
    def masked_name(self) -> str:
        return crypto.mask_name(crypto.decrypt_str(self.name_enc))

    @property
    def masked_phone(self) -> str:
        return crypto.mask_phone(crypto.decrypt_str(self.phone_enc))

    @property
    def masked_email(self) -> str:
        return crypto.mask_email(crypto.decrypt_str(self.email_enc))

    @property
    def masked_address(self) -> str:
        return crypto.mask_address(crypto.decrypt_str(self.address_enc))


class ApiToken(BaseModel):
    """A bearer token for integrations. Only a SHA-256 of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


def _default_weekly_hours() -> dict[str, list[list[str]]]:
    return {str(day): [["09:00", "18:00"]] for day in range(5)}


class BusinessCalendar(BaseModel):
    """Working hours per weekday, Chinese public holidays and make-up workdays, or 24x7."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    is_24x7 = models.BooleanField(_("open 24x7"), default=False)
    # {"0": [["09:00", "18:00"]], ...}: weekday (0 = Monday) -> working intervals.
    weekly_hours = models.JSONField(_("working hours"), default=_default_weekly_hours)
    uses_china_holidays = models.BooleanField(
        _("Chinese public holidays and make-up workdays"), default=True
    )
    # Extra days off and extra working days ("2026-12-31"), on top of the public calendar.
    extra_holidays = models.JSONField(_("extra days off"), default=list, blank=True)
    extra_workdays = models.JSONField(_("extra working days"), default=list, blank=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class Team(BaseModel):
    """A group of agents (or of one merchant's staff) with its own working hours."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
    )
    merchant = models.ForeignKey(
        Merchant,
        verbose_name=_("merchant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
        help_text=_("Set for a merchant's own service team."),
    )
    supervisor = models.ForeignKey(
        User,
        verbose_name=_("supervisor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_teams",
    )
    is_vip_queue = models.BooleanField(_("serves high-value customers"), default=False)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class AgentProfile(BaseModel):
    """What routing needs to know about an agent: skills, capacity, presence."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="agent_profile")
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agents",
    )
    # Skills: empty list = any. Category codes, languages ("zh-hans", "en"), product
    # categories and merchant ids the agent may serve.
    skill_categories = models.JSONField(_("ticket categories"), default=list, blank=True)
    skill_languages = models.JSONField(_("languages"), default=list, blank=True)
    skill_product_categories = models.JSONField(_("product categories"), default=list, blank=True)
    skill_merchant_ids = models.JSONField(_("merchants"), default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity (open tickets)"), default=20)
    # Active tickets assigned now; kept by the ticket services in the same transaction as the
    # assignment, so routing reads one row per agent instead of counting tickets.
    active_ticket_count = models.IntegerField(_("active tickets"), default=0)
    is_online = models.BooleanField(_("online"), default=False)
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")

    def __str__(self) -> str:
        return str(self.user)
