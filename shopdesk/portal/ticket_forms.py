"""Forms of the portal's ticket pages. Photos are read from request.FILES by the views, because
the services judge every file themselves and report the refused ones with a reason."""

import re
import secrets
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from shopdesk.orders.models import OrderItem
from shopdesk.tickets.models import Category
from shopdesk.tickets.services import IncomingFile
from shopdesk.tickets.services.attachments import max_attachment_bytes, max_attachment_count

WHOLE_ORDER = ""
_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
MAX_COMMENT_CHARS = 2000


def new_form_token() -> str:
    """A per-form secret: the same form sent twice makes one ticket."""
    return secrets.token_hex(16)


class IssueForm(forms.Form):
    order_item = forms.ChoiceField(
        label=_("Which item?"), widget=forms.RadioSelect, required=False, initial=WHOLE_ORDER
    )
    category = forms.ChoiceField(label=_("What kind of problem?"))
    description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20_000,
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        items: Sequence[OrderItem],
        categories: Sequence[Category],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._items = {str(item.pk): item for item in items}
        choices: list[tuple[str, StrOrPromise]] = [(WHOLE_ORDER, _("The whole order"))]
        choices += [(key, _item_label(item)) for key, item in self._items.items()]
        self.fields["order_item"].choices = choices  # type: ignore[attr-defined]
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose…")),
            *((c.code, c.label) for c in categories),
        ]
        if not self.is_bound:
            self.initial.setdefault("token", new_form_token())

    def clean_token(self) -> str:
        token = str(self.cleaned_data["token"])
        if not _TOKEN_RE.match(token):
            raise forms.ValidationError(_("The form has expired: please send it again."))
        return token

    def chosen_item(self) -> OrderItem | None:
        return self._items.get(self.cleaned_data.get("order_item") or WHOLE_ORDER)


def _item_label(item: OrderItem) -> str:
    name = item.product.name if item.product_id and item.product else item.sku
    return f"{name} × {item.quantity}"


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=20_000,
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How did we do?"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=MAX_COMMENT_CHARS,
    )


class ComplaintForm(forms.Form):
    body = forms.CharField(
        label=_("What are you not satisfied with? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=MAX_COMMENT_CHARS,
    )


def incoming_files(files: Sequence[UploadedFile]) -> list[IncomingFile]:
    """The uploads as the services take them, never reading more than a file could be allowed:
    an oversize file keeps one byte too many (so it is refused as too large), a file past the
    count limit keeps none (refused for the count)."""
    limit, count = max_attachment_bytes(), max_attachment_count()
    result = []
    for index, upload in enumerate(files):
        content = upload.read(limit + 1) if index < count else b""
        result.append(IncomingFile(name=upload.name or "photo", content=content))
    return result


def upload_limits() -> dict[str, str]:
    """What the photo fields may take, for the hint next to them."""
    return {"files": str(max_attachment_count()), "mb": f"{max_attachment_bytes() / 2**20:g}"}
