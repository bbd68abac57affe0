"""Public account pages: company registration, e-mail confirmation, accepting an invitation;
and the user's notifications (bell, list, mark read, e-mail choices).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from base.params import parse_page

from . import selectors, services, user_services
from .forms import RegistrationForm, SetPasswordForm
from .ratelimit import rate_limited


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
            try:
                services.client_register(data=form.cleaned_data, language=get_language() or "ru")
            except services.DuplicateCompany as error:
                form.add_error(None, error)
            else:
                request.session["registered_email"] = form.cleaned_data["email"]
                return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form})


def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_done.html", {"email": request.session.get("registered_email", "")})


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
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
    return render(request, "notifications/_bell.html", {"unread_count": selectors.unread_count(request.user)})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Mark one notification (or all) read; follow its link when asked to."""
    if pk is not None:
        from .access import access_notification_for_user

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
