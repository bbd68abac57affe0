"""What each client role may do: one table, checked on the server by every view and service.

Supplier staff (users without a client) are not covered here: they work in Django admin under
Django permissions and object permissions.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .models import Client, User


class Action(StrEnum):
    VIEW_CATALOG = "view_catalog"
    VIEW_PRICES = "view_prices"
    USE_CART = "use_cart"
    PLACE_ORDER = "place_order"
    VIEW_OWN_ORDERS = "view_own_orders"
    VIEW_ALL_ORDERS = "view_all_orders"
    APPROVE_ORDERS = "approve_orders"
    VIEW_BALANCE = "view_balance"
    VIEW_DOCUMENTS = "view_documents"
    MANAGE_USERS = "manage_users"
    MANAGE_LEGAL_ENTITIES = "manage_legal_entities"
    VIEW_COMPANY = "view_company"


A = Action
R = User.Role

#: The role × action table. A buyer sees colleagues' orders only where the client allows it
#: (`Client.buyers_see_all_orders`, see `CLIENT_SETTING_ACTIONS` and `user_can`).
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    R.ADMINISTRATOR: frozenset(Action),
    R.MANAGER: frozenset({
        A.VIEW_CATALOG, A.VIEW_PRICES, A.USE_CART, A.PLACE_ORDER, A.VIEW_OWN_ORDERS, A.VIEW_COMPANY,
    }),
    R.ACCOUNTANT: frozenset({
        A.VIEW_CATALOG, A.VIEW_PRICES, A.VIEW_OWN_ORDERS, A.VIEW_ALL_ORDERS, A.VIEW_BALANCE, A.VIEW_DOCUMENTS,
        A.VIEW_COMPANY,
    }),
}


#: Actions a role gains when a setting of its client is on: (role, action) -> Client field.
CLIENT_SETTING_ACTIONS: dict[tuple[str, Action], str] = {
    (R.MANAGER, A.VIEW_ALL_ORDERS): "buyers_see_all_orders",
}


def user_can(user, action: Action) -> bool:
    """True when the user is an active user of an active client whose role allows the action."""
    if not user.is_authenticated or not user.is_active or not user.client_id:
        return False
    if user.client.status != Client.Status.ACTIVE:
        return False
    if action in ROLE_ACTIONS.get(user.role, frozenset()):
        return True
    setting = CLIENT_SETTING_ACTIONS.get((user.role, action))
    return bool(setting and getattr(user.client, setting))


def require_action(user, action: Action) -> None:
    """Raise PermissionDenied unless the user may do the action (for services)."""
    if not user_can(user, action):
        raise PermissionDenied(f"{getattr(user, 'role', '') or 'no role'} may not {action}")


def client_action_required(action: Action) -> Callable:
    """View decorator: anonymous users go to the login page, users whose role lacks the action get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_action(request.user, action)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
