"""Authentication backends that sign users in (Django's model backend, allauth's e-mail login), each
loading the session's user with its client's pricing terms in one query.

A session records the backend that signed its user in and asks that one for the user on every
request, so both load the user the same way (`accounts.selectors.signed_in_user`). axes' lockout
check comes first in AUTHENTICATION_BACKENDS and signs nobody in.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend

from .selectors import signed_in_user


class SessionUserMixin:
    def get_user(self, user_id):
        user = signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class PasswordBackend(SessionUserMixin, ModelBackend):
    """Django's model backend (the admin's login form, `force_login`)."""


class EmailBackend(SessionUserMixin, AuthenticationBackend):
    """allauth's sign-in by e-mail."""
