"""Forms of the orders app."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import access_contract_for_user, access_legal_entity_for_user
from accounts.models import User
from base.params import MAX_ID, clean_text

from .access import access_pickup_warehouse_for_user
from .checkout import CheckoutTerms
from .models import Order
from .selectors import HistoryFilter
from .status import OrderStatus

ADDRESS_CHOICES = [("actual", _("Actual address")), ("legal", _("Legal address")), ("new", _("Another address"))]


class CheckoutForm(forms.Form):
    """The checkout page's choices; no price or quantity is read from it.

    Ids are resolved through the access helpers: another client's legal entity or contract, or a
    warehouse that is no pickup point of the client's region, raise Http404 from `is_valid()`;
    an unconfirmed legal entity of the client is a form error. Whether the contract is in force
    for the legal entity, the address, and the date are checked by the service (`check_terms`).
    """

    legal_entity = forms.IntegerField(min_value=1, max_value=MAX_ID,
                                      error_messages={"required": _("Choose the legal entity.")})
    contract = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    delivery_method = forms.ChoiceField(choices=Order.Delivery.choices,
                                        error_messages={"required": _("Choose delivery or pickup.")})
    address = forms.ChoiceField(choices=ADDRESS_CHOICES, required=False)
    new_address = forms.CharField(max_length=1000, required=False)
    delivery_date = forms.DateField(required=False)
    pickup_warehouse = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    pickup_date = forms.DateField(required=False)
    comment = forms.CharField(max_length=2000, required=False)
    po_number = forms.CharField(max_length=50, required=False)
    revision = forms.IntegerField(min_value=0, max_value=2**31 - 1)
    digest = forms.CharField(max_length=64, required=False)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_legal_entity(self):
        entity = access_legal_entity_for_user(self.user, self.cleaned_data["legal_entity"])
        if not entity.is_confirmed:
            raise ValidationError(_("%(entity)s is not confirmed yet: choose another legal entity.")
                                  % {"entity": entity.name})
        return entity

    def clean_contract(self):
        pk = self.cleaned_data["contract"]
        return access_contract_for_user(self.user, pk) if pk else None

    def clean_pickup_warehouse(self):
        pk = self.cleaned_data["pickup_warehouse"]
        return access_pickup_warehouse_for_user(self.user, pk) if pk else None

    def clean(self):
        data = super().clean()
        entity = data.get("legal_entity")
        if data.get("delivery_method") == Order.Delivery.DELIVERY and entity is not None:
            choice = data.get("address") or "new"
            if choice == "actual":
                data["delivery_address"] = entity.actual_address
            elif choice == "legal":
                data["delivery_address"] = entity.legal_address
            else:
                data["delivery_address"] = data.get("new_address", "")
        return data

    def terms(self) -> CheckoutTerms:
        """The terms chosen (after `is_valid()`)."""
        data = self.cleaned_data
        pickup = data["delivery_method"] == Order.Delivery.PICKUP
        return CheckoutTerms(
            legal_entity=data["legal_entity"], contract=data.get("contract"),
            delivery_method=data["delivery_method"],
            delivery_address="" if pickup else data.get("delivery_address", ""),
            pickup_warehouse=data.get("pickup_warehouse") if pickup else None,
            desired_date=data.get("pickup_date" if pickup else "delivery_date"),
            comment=data.get("comment", ""), po_number=data.get("po_number", ""),
        )


class DraftSubmitForm(forms.Form):
    """The desired date of a draft being submitted (the draft's own date when left empty)."""

    desired_date = forms.DateField(required=False)


class ApprovalRuleForm(forms.Form):
    """A new approval rule: which orders wait (all conditions given must hold) and who approves them."""

    author_role = forms.ChoiceField(label=_("Placed by"), required=False)
    amount_over = forms.DecimalField(label=_("Amount over"), required=False, min_value=0, max_digits=14,
                                     decimal_places=2)
    with_backorder = forms.BooleanField(label=_("Only orders with goods on order"), required=False)
    approver = forms.ChoiceField(label=_("Approver"), required=False)

    def __init__(self, *args, administrators, **kwargs):
        super().__init__(*args, **kwargs)
        self.administrators = {str(user.pk): user for user in administrators}
        self.fields["author_role"].choices = [("", _("Any role")), *User.Role.choices]
        self.fields["approver"].choices = [("", _("Any administrator")),
                                           *((pk, user.get_full_name() or user.email)
                                             for pk, user in self.administrators.items())]

    def clean_approver(self):
        value = self.cleaned_data["approver"]
        return self.administrators.get(value) if value else None


class DecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


HISTORY_SORT_CHOICES = [
    ("-date", _("Newest first")), ("date", _("Oldest first")),
    ("-amount", _("Amount: high to low")), ("amount", _("Amount: low to high")),
    ("-weight", _("Weight: high to low")), ("weight", _("Weight: low to high")),
    ("status", _("Status: from draft to delivered")), ("-status", _("Status: from delivered to draft")),
]
MAX_SEARCH_LENGTH = 100


class OrderHistoryFilterForm(forms.Form):
    """The order history's filters from the query string.

    The legal entity and author are chosen among the ids offered (the client's own, exact string
    match), so another client's id, a non-ASCII digit or a huge number is simply not a choice.
    A field that does not validate is ignored (`filters()`), the others still apply.
    """

    q = forms.CharField(label=_("Number or SKU"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)
    legal_entity = forms.TypedChoiceField(label=_("Legal entity"), coerce=int, required=False, empty_value=None)
    author = forms.TypedChoiceField(label=_("Placed by"), coerce=int, required=False, empty_value=None)
    sort = forms.ChoiceField(label=_("Sort"), choices=HISTORY_SORT_CHOICES, required=False)

    def __init__(self, data, *, legal_entities: list[tuple[int, str]], authors: list[tuple[int, str]]):
        super().__init__(data)
        self.fields["status"].choices = [("", _("Any status")), *OrderStatus.choices]
        self.fields["legal_entity"].choices = [("", _("All legal entities")), *legal_entities]
        self.fields["author"].choices = [("", _("Anyone")), *authors]
        if not authors:
            del self.fields["author"]

    def filters(self):
        """The valid filters as a HistoryFilter (invalid fields left out)."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return HistoryFilter(
            status=data.get("status") or "", date_from=data.get("date_from"), date_to=data.get("date_to"),
            legal_entity_id=data.get("legal_entity"), author_id=data.get("author"),
            search=clean_text(data.get("q"), max_length=MAX_SEARCH_LENGTH), sort=data.get("sort") or "-date",
        )

    @property
    def is_filtered(self) -> bool:
        filters = self.filters()
        return any((filters.status, filters.date_from, filters.date_to, filters.legal_entity_id, filters.author_id,
                    filters.search))


ANALYTICS_PRESETS = [("3", _("3 months")), ("6", _("6 months")), ("12", _("12 months"))]
#: The longest period the analytics page shows at once (its month chart stays readable).
MAX_ANALYTICS_MONTHS = 36


def months_back(today: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months - 1` months before `today`'s: a period of `months` calendar months."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return datetime.date(index // 12, index % 12 + 1, 1)


class AnalyticsPeriodForm(forms.Form):
    """The analytics page's period: a preset of the last 3, 6 or 12 calendar months (the default
    is 12), or dates from and to, which win over the preset; and the currency to show.

    A period whose start is after its end, or longer than MAX_ANALYTICS_MONTHS, is an error and
    the default period is shown.
    """

    months = forms.ChoiceField(label=_("Period"), choices=ANALYTICS_PRESETS, required=False)
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)

    def __init__(self, data, *, today: datetime.date | None = None):
        super().__init__(data)
        self.today = today or timezone.localdate()

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from or date_to:
            date_to = date_to or self.today
            date_from = date_from or months_back(date_to, 12)
            if date_from > date_to:
                raise ValidationError(_("The period starts after it ends: choose a start date before the end date."))
            if months_back(date_to, MAX_ANALYTICS_MONTHS) > date_from:
                raise ValidationError(_("Choose a period of at most %(months)d months.")
                                      % {"months": MAX_ANALYTICS_MONTHS})
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        """(date_from, date_to) of a valid form, else of the default preset (12 months to today)."""
        if not self.is_valid():
            return months_back(self.today, 12), self.today
        date_from, date_to = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if date_from or date_to:
            date_to = date_to or self.today
            return date_from or months_back(date_to, 12), date_to
        months = int(self.cleaned_data.get("months") or 12)
        return months_back(self.today, months), self.today

    @property
    def preset(self) -> str:
        """The preset in use ("" when dates were chosen)."""
        if self.is_valid() and (self.cleaned_data.get("date_from") or self.cleaned_data.get("date_to")):
            return ""
        return (self.cleaned_data.get("months") if self.is_valid() else "") or "12"

    def currency_code(self) -> str:
        return (self.cleaned_data.get("currency") or "").upper() if self.is_valid() else ""
