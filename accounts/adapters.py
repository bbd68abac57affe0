"""django-allauth adapter: e-mail login only, no open sign-up, no sign-in around a lockout."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login

from .lockout import lockout_response, login_is_locked


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Companies register through the legal-entity registration, not allauth's sign-up.
        return False

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
