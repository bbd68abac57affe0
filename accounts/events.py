"""The notification events users choose e-mail for: declared by every app, read by notifications and e-mails.

    from accounts.events import register_event
    register_event("sync_failed", _("Exchange with the ERP failed"), audience="staff")

Events without a stored choice use the default given here (unknown events: e-mailed).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Event:
    code: str
    label: object
    email_default: bool = True
    #: Who may choose it on the preferences page: "client", "staff" or "all".
    audience: str = "all"


EVENTS: dict[str, Event] = {}


def register_event(code: str, label, *, email_default: bool = True, audience: str = "all") -> Event:
    """Declare an event so users can choose e-mail for it; other apps call this at import time."""
    EVENTS[code] = Event(code, label, email_default, audience)
    return EVENTS[code]


register_event("registration_submitted", _("New company registration"), audience="staff")
register_event("contract_requested", _("Contract request"), audience="staff")
register_event("registration_approved", _("Registration approved"), audience="client")
register_event("registration_rejected", _("Registration rejected"), audience="client")
register_event("contract_decided", _("Contract request decided"), audience="client")
register_event("legal_entity_confirmed", _("Legal entity confirmed"), audience="client")
register_event("legal_entity_unconfirmed", _("Legal entity confirmation withdrawn"), audience="client")
register_event("registration_duplicate_company", _("Someone asked to register the company again"),
               audience="client")
register_event("user_invited", _("User invited"), email_default=False, audience="client")
register_event("user_activated", _("Invited user activated the account"), audience="client")


def email_wanted(user, event: str, choices: dict[str, bool] | None = None) -> bool:
    """Whether the user gets `event` by e-mail: their stored choice, else the event's default."""
    if choices is not None and event in choices:
        return choices[event]
    known = EVENTS.get(event)
    return known.email_default if known else True
