"""What an invitation says and where it goes: the e-mail, the SMS and the portal notice, in
the customer's language, with the link (and the reminder's wording)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from shopdesk.accounts.models import Customer
from shopdesk.core import crypto
from shopdesk.notifications.services import notification_enqueue
from shopdesk.notifications.unsubscribe import email_is_suppressed
from shopdesk.surveys.models import Invitation
from shopdesk.surveys.states import Channel


def invitation_language(customer: Customer | None) -> str:
    return "en" if customer is not None and customer.language.startswith("en") else "zh-hans"


def _title(invitation: Invitation, language: str) -> str:
    version = invitation.survey.version
    if language == "en" and version.title_en:
        return version.title_en
    return version.title_zh


def _portal_url(invitation: Invitation) -> str:
    base = str(getattr(settings, "SHOPDESK_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return f"{base}{reverse('surveys:portal_answer', args=[invitation.pk])}"


def _texts(invitation: Invitation, url: str, reminder: bool) -> tuple[str, str, str]:
    """Subject, e-mail body and SMS text, in the active language."""
    title = _title(invitation, translation.get_language() or "zh-hans")
    until = timezone.localtime(invitation.expires_at).date().isoformat()
    if reminder:
        subject = gettext("Reminder: %(title)s") % {"title": title}
        opening = gettext("A few days ago we asked how we did. Your answers are still welcome.")
    else:
        subject = gettext("How did we do? %(title)s") % {"title": title}
        opening = gettext("Thank you for choosing us. Would you tell us how we did?")
    lines = [
        gettext("Hello,"),
        "",
        opening,
        gettext("It takes about two minutes:"),
        "",
        url,
        "",
        gettext("The link is valid until %(date)s.") % {"date": until},
    ]
    if reminder:
        lines.append(gettext("This link replaces the one in our earlier message."))
    if invitation.survey.anonymous:
        lines.append(gettext("The survey is anonymous: your answers are not linked to your name."))
    sms = gettext("How did we do? Please rate us: %(url)s (valid until %(date)s)") % {
        "url": url,
        "date": until,
    }
    return subject[:200], "\n".join(lines) + "\n", sms


def invitation_send(*, invitation: Invitation, url: str, reminder: bool = False) -> bool:
    """Enqueue the invitation's messages by the survey's channels, in the customer's language
    (zh-hans or en); returns whether any channel reached the customer. The portal always does:
    the invitation shows in the customer's "My surveys"."""
    customer = invitation.customer
    if customer is None:
        return False
    language = invitation_language(customer)
    with translation.override(language):
        subject, body, sms = _texts(invitation, url, reminder)
    kind = "reminder" if reminder else "invite"
    ref = f"survey-invitation:{invitation.pk}"
    reached = False
    for channel in dict.fromkeys(invitation.survey.channels):
        key = f"survey-invitation:{invitation.pk}:{kind}:{channel}"
        if channel == Channel.EMAIL:
            email = crypto.decrypt_str(customer.email_enc)
            if email and not email_is_suppressed(email):
                notification_enqueue(
                    channel="email",
                    subject=subject,
                    body=body,
                    to=email,
                    dedupe_key=key,
                    language=language,
                    ref=ref,
                )
                reached = True
        elif channel == Channel.SMS:
            phone = crypto.decrypt_str(customer.phone_enc)
            if phone:
                notification_enqueue(
                    channel="sms",
                    subject="",
                    body=sms,
                    to=phone,
                    dedupe_key=key,
                    language=language,
                    ref=ref,
                )
                reached = True
        elif channel == Channel.PORTAL:
            if customer.user_id is not None:
                notification_enqueue(
                    channel="in_app",
                    subject=subject,
                    body=body.replace(url, _portal_url(invitation)),
                    user=customer.user,
                    dedupe_key=key,
                    language=language,
                    ref=ref,
                )
            reached = True
    return reached
