"""Public account pages: company registration, e-mail confirmation, accepting an invitation;
and the user's notifications (bell, list, mark read, e-mail choices).
"""

from allauth.account.views import EmailView
from allauth.account.views import confirm_email as allauth_confirm_email
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from base.params import parse_page

from . import selectors, services, user_services
from .access import access_notification_for_user
from .forms import RegistrationForm, SetPasswordForm
from .ratelimit import rate_limited


class LoginEmailView(EmailView):
    """allauth's /accounts/email/ where only a verified address can become the login (primary).

    allauth lets a user without any verified address make an unverified one primary, which would
    change his login to an address nobody proved to own.
    """

    def _action_primary(self, request, *args, **kwargs):
        address = self._get_email_address(request)
        if address is not None and not address.verified:
            messages.error(request, _("Confirm the address by the link in our e-mail first: then it becomes "
                                      "your login."))
            return HttpResponseRedirect(self.get_success_url())
        return super()._action_primary(request, *args, **kwargs)


login_email = LoginEmailView.as_view()


def register(request: HttpRequest) -> HttpResponse:
    """Registration of a company; nothing is stored until the whole form is valid."""
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        limit = settings.PORTAL_REGISTRATION_RATE_LIMIT
        if rate_limited(request, action="register", limit=limit, period=3600):
            return render(request, "accounts/register_limited.html", status=429)
        if form.is_valid():
            # The same answer whether or not the address or the company is already registered.
            services.client_register(data=form.cleaned_data, language=get_language() or "ru")
            request.session["registered_email"] = form.cleaned_data["email"]
            return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form})


def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_done.html", {"email": request.session.get("registered_email", "")})


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation link of a registration, or allauth's link of a new login address.

    Both live at /accounts/confirm-email/<key>/ (this page is mounted first): a key not signed as a
    registration token, whatever its age, is allauth's.
    """
    try:
        signing.loads(token, salt=services.CONFIRM_SALT)
    except signing.BadSignature:
        return allauth_confirm_email(request, key=token)
    try:
        user = services.registration_confirm_email(token=token)
    except ValidationError as error:
        return render(request, "accounts/confirm_email.html", {"error": error.messages[0]}, status=400)
    return render(request, "accounts/confirm_email.html", {"confirmed_user": user})


def invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The invited user sets a password from the e-mailed link, then signs in."""
    user = selectors.invited_user(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "accounts/invitation.html", {"invalid": True}, status=400)
    form = SetPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        user_services.user_accept_invitation(user=user, password=form.cleaned_data["password1"])
        messages.success(request, _("Your password is set. Sign in with your e-mail and the new password."))
        return redirect("account_login")
    return render(request, "accounts/invitation.html", {"form": form, "invited": user})


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for_user(request.user), 30).get_page(parse_page(request.GET.get("page")))
    return render(request, "notifications/list.html", {
        "page": page, "choices": selectors.email_choices(request.user),
        "unread": selectors.unread_count(request.user)})


@login_required
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The header bell (an htmx fragment polled by the header)."""
    return render(request, "notifications/_bell.jinja", {"unread_count": selectors.unread_count(request.user)},
                  using="jinja2")


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Mark one notification (or all) read; follow its link when asked to."""
    if pk is not None:
        notification = access_notification_for_user(request.user, pk)
        user_services.notification_mark_read(user=request.user, pk=notification.pk)
        target = notification.url
        if request.POST.get("follow") and target and url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}):
            return redirect(target)
    else:
        user_services.notification_mark_read(user=request.user)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_preferences(request: HttpRequest) -> HttpResponse:
    codes = [code for _event, _on, code in selectors.email_choices(request.user)]
    chosen = set(request.POST.getlist("email"))
    user_services.notification_preferences_set(user=request.user, by_email={c: c in chosen for c in codes})
    messages.success(request, _("Your e-mail choices are saved."))
    return redirect("notifications:list")
