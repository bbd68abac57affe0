"""django-allauth adapter: e-mail login only, no open sign-up, one verified address per account,
no sign-in around a lockout."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _

from .lockout import lockout_response, login_is_locked
from .models import Client
from .selectors import client_approvers, email_used_by_another_user


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Companies register through the legal-entity registration, not allauth's sign-up.
        return False

    def confirm_email(self, request, email_address) -> bool:
        """Verify an address and make it the login, unless another account took it meanwhile.

        The address becomes the user's login (User.email, unique): confirming one that another
        account uses would break that uniqueness, so it is refused with a message instead.
        """
        if email_used_by_another_user(email_address.email, user=email_address.user):
            messages.error(request, _("This e-mail address cannot be used for your account. Choose another one."))
            return False
        return super().confirm_email(request, email_address)

    def pre_login(self, request, user, **kwargs):
        """Refuse a locked account on every allauth sign-in, also those without a password.

        A password sign-in of a locked account already fails in `authenticate` (axes); this covers
        the sign-ins that skip it, such as the login after a password reset: the reset sets the
        new password, the lock still runs to its end.
        """
        response = super().pre_login(request, user, **kwargs)
        if response is None and login_is_locked(request, user.get_username()):
            clear_login(request)  # as allauth does for an inactive account
            return lockout_response(request, credentials={"login": user.get_username()})
        return response

    def respond_user_inactive(self, request, user):
        """A user of a company still awaiting approval is told so, and by whom, not "account inactive"."""
        client = getattr(user, "client", None)
        if client is not None and client.status == Client.Status.PENDING:
            return render(request, "account/client_pending.html",
                          {"company": client, "approvers": client_approvers(client)})
        return super().respond_user_inactive(request, user)
