"""Writes of the orders app, one module per part of the buyer's job: the cart, order templates and repeat
orders, the status door (`order_transition`) and approval decisions, checkout, and what the ERP writes.

Callers import from `orders.services`; the modules import each other only downward (templates and
checkout use the cart, checkout and erp use the status door).
"""

from orders.services.cart import (
    CartAddResult,
    CartLineInput,
    CartLineRefused,
    CartRefusal,
    cart_accept_changes,
    cart_add_line,
    cart_add_lines,
    cart_add_order_list,
    cart_clear,
    cart_get_or_create,
    cart_remove_line,
    cart_set_terms,
    cart_update_line,
)
from orders.services.checkout import (
    CartChanged,
    CheckoutStopped,
    PlaceResult,
    QuoteChanged,
    SubmitResult,
    checkout_key,
    order_place_from_cart,
    order_submit,
)
from orders.services.erp import (
    order_erp_move,
    order_mark_exported,
    order_set_erp_dates,
    order_set_erp_number,
)
from orders.services.reorder import reorder_digest_send
from orders.services.status import (
    ApprovalDecided,
    OrderTransitionError,
    OrderTransitionRefused,
    approval_rule_create,
    approval_rule_delete,
    order_approve,
    order_reject,
    order_transition,
)
from orders.services.templates import (
    TemplateLineRefused,
    TemplateNameTaken,
    order_repeat,
    order_template_add_to_cart,
    order_template_create_from_cart,
    order_template_delete,
    order_template_remove_line,
    order_template_rename,
    order_template_update_line,
)

__all__ = [
    "ApprovalDecided",
    "CartAddResult",
    "CartChanged",
    "CartLineInput",
    "CartLineRefused",
    "CartRefusal",
    "CheckoutStopped",
    "OrderTransitionError",
    "OrderTransitionRefused",
    "PlaceResult",
    "QuoteChanged",
    "SubmitResult",
    "TemplateLineRefused",
    "TemplateNameTaken",
    "approval_rule_create",
    "approval_rule_delete",
    "cart_accept_changes",
    "cart_add_line",
    "cart_add_lines",
    "cart_add_order_list",
    "cart_clear",
    "cart_get_or_create",
    "cart_remove_line",
    "cart_set_terms",
    "cart_update_line",
    "checkout_key",
    "order_approve",
    "order_erp_move",
    "order_mark_exported",
    "order_place_from_cart",
    "order_reject",
    "order_repeat",
    "order_set_erp_dates",
    "order_set_erp_number",
    "order_submit",
    "order_template_add_to_cart",
    "order_template_create_from_cart",
    "order_template_delete",
    "order_template_remove_line",
    "order_template_rename",
    "order_template_update_line",
    "order_transition",
    "reorder_digest_send",
]
