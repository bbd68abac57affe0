"""Idempotent checkout under concurrency: many submits of one cart revision make exactly one order.

Real threads, each with its own database connection (closed when the thread ends), against
PostgreSQL: the cart row lock (`_lock_cart`) serialises them and the order of the revision is
found by its idempotency key by all but the first.
"""

import threading

import pytest
from django.db import connection

from accounts.models import User
from orders.models import Cart, CartLine, Order, OrderLine, OrderSequence
from orders.services import order_place_from_cart

from .checkout_data import make_checkout_data, shown, terms_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SUBMITS = 50


def test_50_concurrent_submits_of_one_cart_make_one_order(transactional_db):
    data = make_checkout_data()
    revision, digest = shown(data.buyer)
    barrier = threading.Barrier(SUBMITS)
    results, errors = [], []

    def submit(second_tab: bool) -> None:
        try:
            user = User.objects.select_related("client").get(pk=data.buyer.pk)
            # Two tabs of the same page may differ in what the buyer typed; the cart revision decides.
            terms = terms_for(data, comment="Вторая вкладка" if second_tab else "Первая вкладка")
            barrier.wait(timeout=60)
            results.append(order_place_from_cart(user=user, terms=terms, revision=revision, digest=digest))
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n % 2 == 1,)) for n in range(SUBMITS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors[:3]
    assert len(results) == SUBMITS
    assert Order.objects.count() == 1
    order = Order.objects.get()
    assert {result.order.pk for result in results} == {order.pk}
    assert sum(result.created for result in results) == 1
    assert OrderLine.objects.filter(order=order).count() == 3
    assert OrderSequence.objects.get().last == 1
    assert not CartLine.objects.exists()
    assert Cart.objects.get(user=data.buyer).revision == revision + 1
