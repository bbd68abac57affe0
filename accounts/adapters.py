"""django-allauth adapter: e-mail login only, no open sign-up."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Companies register through the legal-entity registration, not allauth's sign-up.
        return False
