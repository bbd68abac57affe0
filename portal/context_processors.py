"""Context shared by every page of the shell: portal name, client, role (the cart counter: orders)."""

from django.conf import settings


def shell(request) -> dict:
    user = getattr(request, "user", None)
    context = {
        "portal_name": settings.PORTAL_NAME,
        "support_email": settings.PORTAL_SUPPORT_EMAIL,
        "support_phone": settings.PORTAL_SUPPORT_PHONE,
        "shell_client": None,
        "shell_role": "",
    }
    if user is not None and user.is_authenticated:
        # request.user was loaded without the client; one query fetches it when needed.
        context["shell_client"] = user.client if user.client_id else None
        context["shell_role"] = user.get_role_display() if user.role else ""
    return context

