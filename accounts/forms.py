"""Forms of the accounts app: company registration, legal entities, users, notification choices.

Every requisite is checked on its own and gets its own message ("INN: wrong checksum."), then the
checks that need two fields (INN length by kind, KPP for a company, settlement account against
the BIK) run in `clean()` and attach their message to the field at fault.
"""

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from base.models import Region

from . import validators
from .models import LegalEntity, User
from .selectors import email_used_by_another_user

Kind = LegalEntity.Kind


_digits = validators.normalize_requisite


class RequisitesMixin:
    """Company and bank requisites with field-by-field messages; used by registration and the cabinet."""

    def clean_inn(self) -> str:
        value = _digits(self.cleaned_data.get("inn"))
        validators.validate_inn(value)
        return value

    def clean_kpp(self) -> str:
        value = _digits(self.cleaned_data.get("kpp"))
        if value:
            validators.validate_kpp(value)
        return value

    def clean_ogrn(self) -> str:
        value = _digits(self.cleaned_data.get("ogrn"))
        validators.validate_ogrn(value)
        return value

    def clean_bik(self) -> str:
        value = _digits(self.cleaned_data.get("bik"))
        validators.validate_bik(value)
        return value

    def clean_account(self) -> str:
        value = _digits(self.cleaned_data.get("account"))
        validators.validate_account_number(value)
        return value

    def clean_correspondent_account(self) -> str:
        value = _digits(self.cleaned_data.get("correspondent_account"))
        if value:
            validators.validate_account_number(value)
        return value

    def clean_requisites(self) -> None:
        data = self.cleaned_data
        kind, inn, kpp, ogrn = data.get("kind"), data.get("inn"), data.get("kpp"), data.get("ogrn")
        if kind == Kind.COMPANY:
            if inn and len(inn) != 10:
                self.add_error("inn", _("INN of a company has 10 digits (12 digits are for a sole trader)."))
            if "kpp" in data and not kpp:
                self.add_error("kpp", _("KPP is required for a company."))
            if ogrn and len(ogrn) != 13:
                self.add_error("ogrn", _("OGRN of a company has 13 digits."))
        elif kind == Kind.SOLE_TRADER:
            if inn and len(inn) != 12:
                self.add_error("inn", _("INN of a sole trader has 12 digits."))
            if kpp:
                self.add_error("kpp", _("A sole trader has no KPP: leave it empty."))
            if ogrn and len(ogrn) != 15:
                self.add_error("ogrn", _("OGRNIP of a sole trader has 15 digits."))
        self.clean_bank()

    def clean_bank(self) -> None:
        data = self.cleaned_data
        bik, account, corr = data.get("bik"), data.get("account"), data.get("correspondent_account")
        if bik and account and not validators.is_valid_settlement_account(bik, account):
            self.add_error("account", _("Settlement account: control key does not match the BIK."))
        if bik and corr and not validators.is_valid_correspondent_account(bik, corr):
            self.add_error(
                "correspondent_account", _("Correspondent account: must start with 301 and match the BIK.")
            )


def _text(label, max_length=300, required=True, **kwargs):
    return forms.CharField(label=label, max_length=max_length, required=required, **kwargs)


class LegalEntityForm(RequisitesMixin, forms.Form):
    """A legal entity with its primary bank account (cabinet: add and edit)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.COMPANY)
    full_name = _text(_("Full name"), 500, help_text=_("As in the charter, e.g. Limited Liability Company «Romashka»."))
    name = _text(_("Short name"), help_text=_("E.g. LLC «Romashka»."))
    inn = _text(_("INN"), 12, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    kpp = _text(_("KPP"), 9, required=False, help_text=_("Required for a company; empty for a sole trader."))
    ogrn = _text(_("OGRN / OGRNIP"), 15, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    legal_address = _text(_("Legal address"), 1000, widget=forms.Textarea(attrs={"rows": 2}))
    actual_address = _text(_("Actual address"), 1000, widget=forms.Textarea(attrs={"rows": 2}))
    bik = _text(_("BIK"), 9, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    bank_name = _text(_("Bank"))
    account = _text(_("Settlement account"), 25, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    correspondent_account = _text(_("Correspondent account"), 25, required=False)

    def clean(self):
        data = super().clean()
        self.clean_requisites()
        return data


class RegistrationForm(LegalEntityForm):
    """Registration of a company: requisites, bank, contact person, region, optional contract request."""

    contact_name = _text(_("Contact person: full name"), 300)
    contact_position = _text(_("Position"), 200)
    email = forms.EmailField(label=_("E-mail"), help_text=_("Your login; we send a confirmation link to it."))
    phone = forms.RegexField(
        label=_("Phone"), regex=r"^\+?[0-9\s\-()]{10,20}$", max_length=30,
        error_messages={"invalid": _("Phone: 10 to 20 digits, e.g. +7 495 123-45-67.")},
    )
    region = forms.ModelChoiceField(
        label=_("Region (branch)"), queryset=Region.objects.filter(is_active=True), empty_label=_("— choose —"),
        error_messages={"required": _("Choose the region (branch) that will serve you.")},
    )
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))
    request_contract = forms.BooleanField(label=_("Request to conclude a contract"), required=False)
    contract_comment = _text(_("Comment to the contract request"), 2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    field_order = [
        "kind", "full_name", "name", "inn", "kpp", "ogrn", "legal_address", "actual_address",
        "bik", "bank_name", "account", "correspondent_account",
        "contact_name", "contact_position", "email", "phone", "region", "password1", "password2",
        "request_contract", "contract_comment",
    ]

    def clean_email(self) -> str:
        # Whether the address has an account is not told here (accounts.services.client_register).
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        if sum(char in "0123456789" for char in phone) < 10:  # "+(((((((((" matches the pattern
            raise ValidationError(self.fields["phone"].error_messages["invalid"], code="invalid")
        return phone

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            probe = User(email=data.get("email") or "", first_name=data.get("contact_name") or "")
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class AddEmailForm(AllauthAddEmailForm):
    """A new login address (/accounts/email/): refused when another account uses it.

    The message says neither whose account nor which kind: only that the address cannot be used.
    """

    def clean_email(self) -> str:
        email = super().clean_email()
        if not EmailAddress.objects.filter(user=self.user, verified=True).exists():
            # allauth takes an unverified login address for the pending new one and would drop it.
            raise ValidationError(
                _("E-mail: confirm your current address first (by the link in our e-mail), then change it."),
                code="unverified",
            )
        if email_used_by_another_user(email, user=self.user):
            raise ValidationError(
                _("E-mail: this address cannot be used for your account. Choose another one."), code="unavailable"
            )
        return email


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    first_name = _text(_("First name"), 150, required=False)
    last_name = _text(_("Last name"), 150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=User.Role.choices, initial=User.Role.MANAGER)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("E-mail: this address already has an account."), code="taken")
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=User.Role.choices)


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class RejectForm(forms.Form):
    """Admin: the reason of a rejection, e-mailed to the applicant."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60}))


ENTITY_INITIAL_FIELDS = ["kind", "name", "full_name", "inn", "kpp", "ogrn", "legal_address", "actual_address"]
