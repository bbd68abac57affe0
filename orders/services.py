"""Writes of the orders app: the cart, and the order status door (`order_transition`)."""
