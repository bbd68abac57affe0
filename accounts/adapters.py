"""django-allauth adapter: e-mail login only, no open sign-up, one verified address per account."""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.utils.translation import gettext as _

from .selectors import email_used_by_another_user


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
