"""What a regional manager approves, read-only in the client admin: the legal entities' requisites with
their checks and the applicant.

Each requisite is shown with the result of its check (accounts.validators): ИНН, ОГРН and the accounts by
their control digits (the accounts against the БИК), КПП and БИК by their format. The client list shows a
line per legal entity and the applicant's contacts; the change page a block per legal entity with its
addresses and bank accounts. The queryset carries what they read (`with_requisites`), so neither page
queries per client.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from . import validators
from .models import BankAccount, Client, LegalEntity, User

APPLICANTS = "applicants"


@dataclass(frozen=True)
class Check:
    """One requisite and whether it passed its check (None: nothing to check, e.g. a sole trader's КПП)."""

    label: str
    value: str
    ok: bool | None


def with_requisites(queryset: QuerySet[Client]) -> QuerySet[Client]:
    """Clients with their legal entities and bank accounts, and their administrators as `applicants`."""
    return queryset.prefetch_related(
        Prefetch("legal_entities", queryset=LegalEntity.objects.order_by("pk").prefetch_related(
            Prefetch("bank_accounts", queryset=BankAccount.objects.order_by("-is_primary", "pk")))),
        Prefetch("users", queryset=User.objects.filter(role=User.Role.ADMINISTRATOR).order_by("pk"),
                 to_attr=APPLICANTS),
    )


def entity_checks(entity: LegalEntity) -> list[Check]:
    """ИНН, КПП (a company's) and ОГРН of a legal entity with their check results."""
    is_company = entity.kind == LegalEntity.Kind.COMPANY
    return [
        Check(str(_("INN")), entity.inn, validators.is_valid_inn(entity.inn)),
        Check(str(_("KPP")), entity.kpp or "—", validators.is_valid_kpp(entity.kpp) if is_company else None),
        Check(str(_("OGRN")) if is_company else str(_("OGRNIP")), entity.ogrn or "—",
              validators.is_valid_ogrn(entity.ogrn) if entity.ogrn else False),
    ]


def account_checks(account: BankAccount) -> list[Check]:
    """БИК, settlement and correspondent account of a bank account; the accounts are checked against the БИК."""
    bik_ok = validators.is_valid_bik(account.bik)
    return [
        Check(str(_("BIK")), account.bik, bik_ok),
        Check(str(_("settlement account")), account.account,
              bik_ok and validators.is_valid_settlement_account(account.bik, account.account)),
        Check(str(_("correspondent account")), account.correspondent_account or "—",
              bik_ok and validators.is_valid_correspondent_account(account.bik, account.correspondent_account)),
    ]


def _mark(check: Check) -> SafeString:
    if check.ok is None:
        return format_html("{}", check.value)
    if check.ok:
        return format_html('{} <span class="requisite-ok" title="{}">✓</span>', check.value, _("check passed"))
    return format_html('{} <span class="requisite-bad">✗ {}</span>', check.value, _("check failed"))


def applicant_of(client: Client) -> User | None:
    """The client's first administrator: the person who registered it."""
    applicants = getattr(client, APPLICANTS, None)
    if applicants is None:
        applicants = list(client.users.filter(role=User.Role.ADMINISTRATOR).order_by("pk")[:1])
    return applicants[0] if applicants else None


def requisites_summary(client: Client) -> SafeString:
    """A line per legal entity for the client list: name, ИНН, КПП, ОГРН and the bank accounts, each checked."""
    lines = []
    for entity in client.legal_entities.all():
        checks = [*entity_checks(entity)]
        for account in entity.bank_accounts.all():
            checks.extend(account_checks(account)[:2])
        lines.append(format_html("<strong>{}</strong><br>{}", entity.name, format_html_join(
            " · ", "{}: {}", ((check.label, _mark(check)) for check in checks))))
    return format_html_join(format_html("<br>"), "{}", ((line,) for line in lines)) if lines else "—"


def applicant_summary(client: Client) -> SafeString | str:
    """The applicant's name, e-mail and phone for the client list."""
    user = applicant_of(client)
    if user is None:
        return "—"
    parts = [user.get_full_name() or "—", user.email, user.phone or "—"]
    return format_html_join(format_html("<br>"), "{}", ((part,) for part in parts))


def requisites_block(client: Client) -> SafeString:
    """The change page's block: every legal entity with its checked requisites, addresses and bank accounts."""
    entities = [
        {
            "entity": entity,
            "checks": [(check.label, _mark(check)) for check in entity_checks(entity)],
            "accounts": [(account, [(check.label, _mark(check)) for check in account_checks(account)])
                         for account in entity.bank_accounts.all()],
        }
        for entity in client.legal_entities.all()
    ]
    return render_to_string("admin/accounts/client/requisites.html", {"entities": entities})


def applicant_block(client: Client) -> SafeString:
    """The change page's block: the applicant's name, position, e-mail (and whether it is confirmed), phone."""
    user = applicant_of(client)
    confirmed = user is not None and EmailAddress.objects.filter(user=user, verified=True).exists()
    return render_to_string("admin/accounts/client/applicant.html", {"applicant": user, "confirmed": confirmed})
