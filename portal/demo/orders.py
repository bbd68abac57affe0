"""The order history of the demo: 5–15 orders per active client over the last 90 days.

Each order walks the status flow of `orders.status` from draft to where it is now, one allowed
move at a time, with timestamps that are plausible for who makes the move (the client within
hours, the ERP within a day or two) and never later than the seed's "now".
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from accounts.models import User
from orders.models import Order, OrderLine, OrderStatusChange
from orders.status import OrderStatus

from .clients import ClientInfo, EntityInfo
from .finance import list_price
from .money import CENT
from .products import Catalog, Sellable
from .writer import SeedContext

S = OrderStatus
DAY = 86_400
#: Where an order of a given age (up to N days) is likely to be now.
AGE_PROFILES: tuple[tuple[int, dict[str, int]], ...] = (
    (1, {S.DRAFT: 20, S.AWAITING_APPROVAL: 15, S.APPROVED: 5, S.SUBMITTED: 20, S.ACCEPTED: 20, S.ASSEMBLING: 15,
         S.CANCELLED: 5}),
    (4, {S.DRAFT: 5, S.ACCEPTED: 10, S.ASSEMBLING: 15, S.SHIPPED: 30, S.DELIVERED: 30, S.CANCELLED: 5, S.REJECTED: 5}),
    (91, {S.DELIVERED: 80, S.CANCELLED: 8, S.REJECTED: 4, S.DRAFT: 4, S.SHIPPED: 4}),
)
#: How long after the previous move a move to the status happens, in seconds (min, max).
STEP_SECONDS = {
    S.AWAITING_APPROVAL: (300, 3600), S.APPROVED: (600, 6 * 3600), S.REJECTED: (600, 6 * 3600),
    S.SUBMITTED: (60, 3 * 3600), S.ACCEPTED: (120, 3600), S.ASSEMBLING: (3600, 20 * 3600),
    S.SHIPPED: (4 * 3600, 30 * 3600), S.DELIVERED: (DAY, 3 * DAY), S.CANCELLED: (1800, 2 * DAY),
}
ERP_MOVES = frozenset({S.ACCEPTED, S.ASSEMBLING, S.SHIPPED, S.DELIVERED})
FULFILMENT = (S.ACCEPTED, S.ASSEMBLING, S.SHIPPED, S.DELIVERED)
REJECT_REASONS = ("Превышен лимит закупок на месяц", "Согласуйте количество с прорабом", "Дублирует заказ от вчера")
CANCEL_REASONS = ("Заказ больше не нужен", "Оформили заново с другим адресом", "Перенесли сроки объекта")
ORDER_COMMENTS = ("Доставка до 14:00", "Позвонить за час до приезда", "Нужны сертификаты на товар",
                  "Разгрузка с торца здания, въезд с ул. Складской")


EARLY_PATHS = {
    S.DRAFT: (S.DRAFT,),
    S.AWAITING_APPROVAL: (S.DRAFT, S.AWAITING_APPROVAL),
    S.APPROVED: (S.DRAFT, S.AWAITING_APPROVAL, S.APPROVED),
    S.REJECTED: (S.DRAFT, S.AWAITING_APPROVAL, S.REJECTED),
}


def status_path(rng: random.Random, target: str) -> list[str]:
    """The statuses an order went through to reach `target`, starting with draft.

    A third of the submitted orders went through the head's approval first.
    """
    if target in EARLY_PATHS:
        return list(EARLY_PATHS[target])
    if rng.randrange(3) == 0:
        submitted = [S.DRAFT, S.AWAITING_APPROVAL, S.APPROVED, S.SUBMITTED]
    else:
        submitted = [S.DRAFT, S.SUBMITTED]
    if target == S.CANCELLED:
        stops = ([S.DRAFT], [S.DRAFT, S.AWAITING_APPROVAL], submitted, [*submitted, S.ACCEPTED])
        return [*rng.choice(stops), S.CANCELLED]
    if target == S.SUBMITTED:
        return submitted
    return submitted + list(FULFILMENT[: FULFILMENT.index(target) + 1])


@dataclass
class OrderPlan:
    """An order before it is written: header values, lines and status history."""

    created_at: datetime
    client: ClientInfo
    entity: EntityInfo
    contract_id: int
    creator: int
    status: str
    pickup_warehouse: int | None = None
    comment: str = ""
    changes: list[tuple] = field(default_factory=list)  # from, to, at, by, source, comment
    lines: list[tuple] = field(default_factory=list)  # product id, sku, name, unit, quantity, price, amount
    weight: Decimal = Decimal("0.000")
    volume: Decimal = Decimal("0.000000")

    def reached(self, status: str) -> datetime | None:
        return next((at for _, to, at, *_ in self.changes if to == status), None)


class OrderHistory:
    """Plans the orders of clients: statuses with their history, lines from the goods clients buy most.

    Restricted regions order only from their assortment.
    """

    def __init__(self, ctx: SeedContext, catalog: Catalog, users: dict[int, dict[str, int]], prices: dict[int, dict],
                 assortments: dict[int, set[int]]):
        self.ctx, self.catalog, self.users, self.prices = ctx, catalog, users, prices
        self.rng = ctx.rng("orders")
        priced = [position for position in catalog.popular if position not in catalog.unpriced]
        if len(priced) < 10:  # a tiny catalog: let every priced product be ordered
            priced = [position for position in range(len(catalog.ids)) if position not in catalog.unpriced]
        self.pools = {None: priced}
        for region, chosen in assortments.items():
            self.pools[region] = [position for position in priced if position in chosen] or priced
        self.sellable: dict[int, Sellable] = {}

    def plan(self, client: ClientInfo) -> list[OrderPlan]:
        """5–15 orders of an active client, of any age up to 90 days."""
        rng = self.rng
        pool = self.pools.get(client.region.id, self.pools[None])
        plans = []
        for _ in range(rng.randint(5, 15)):
            # A third are from the last four days, so the recent statuses have something to show.
            age = rng.randint(600, 4 * DAY) if rng.randrange(3) == 0 else rng.randint(4 * DAY, 90 * DAY)
            profile = next(weights for days, weights in AGE_PROFILES if age <= days * DAY)
            target = rng.choices(list(profile), list(profile.values()))[0]
            roles = self.users[client.id]
            creator = roles[User.Role.MANAGER] if rng.randrange(5) else roles[User.Role.ADMINISTRATOR]
            entity = rng.choice([e for e in client.entities if e.contracts])
            plan = OrderPlan(self.ctx.now - timedelta(seconds=age), client, entity, rng.choice(entity.contracts)[0],
                             creator, target)
            if rng.randrange(10) < 3:
                plan.pickup_warehouse = rng.choice(client.region.warehouse_ids)
            if rng.randrange(5) == 0:
                plan.comment = rng.choice(ORDER_COMMENTS)
            self._walk(plan, status_path(rng, target), roles[User.Role.ADMINISTRATOR])
            self._fill(plan, rng.sample(pool, min(len(pool), rng.randint(1, 10))))
            plans.append(plan)
        return plans

    def _walk(self, plan: OrderPlan, path: list[str], head: int) -> None:
        rng = self.rng
        gaps = [0] + [rng.randint(*STEP_SECONDS[status]) for status in path[1:]]
        room = int((self.ctx.now - plan.created_at).total_seconds()) - 60
        if sum(gaps) > room:  # a young order: squeeze its history into the time it has had
            total = sum(gaps)
            gaps = [0] + [max(gap * room // total, 1) for gap in gaps[1:]]
        at, previous = plan.created_at, ""
        for status, gap in zip(path, gaps, strict=True):
            at += timedelta(seconds=gap)
            by, source, comment = plan.creator, OrderStatusChange.Source.USER, ""
            if status in ERP_MOVES:
                by, source = None, OrderStatusChange.Source.ERP
            elif status in (S.APPROVED, S.REJECTED):
                by = head
                comment = rng.choice(REJECT_REASONS) if status == S.REJECTED else ""
            elif status == S.CANCELLED:
                comment = rng.choice(CANCEL_REASONS)
            plan.changes.append((previous, status, at, by, source, comment))
            previous = status

    def _fill(self, plan: OrderPlan, positions: list[int]) -> None:
        rng, individual = self.rng, self.prices.get(plan.client.id, {})
        weight = volume = Decimal(0)
        for position in positions:
            if position not in self.sellable:
                self.sellable[position] = self.catalog.sellable(position)
            item = self.sellable[position]
            if item.fractional:
                quantity = Decimal(rng.randint(1, 200) * 500).scaleb(-3)
            else:
                steps = rng.randint(1, 3) if item.base_kopecks >= 100_000 else rng.randint(1, 20)
                quantity = Decimal(int(item.multiplicity) * steps * 1000).scaleb(-3)
            price = individual.get(item.id)
            if price is None:
                price = list_price(plan.client, item.base_kopecks)
            amount = (quantity * price).quantize(CENT, ROUND_HALF_UP)
            plan.lines.append((item.id, item.sku, item.name, item.unit, quantity, price, amount))
            weight += quantity * item.weight
            volume += quantity * item.volume
        plan.weight = weight.quantize(Decimal("0.001"))
        plan.volume = volume.quantize(Decimal("0.000001"))


ORDER_FIELDS = (
    "number", "client_id", "legal_entity_id", "contract_id", "created_by_id", "status", "status_changed_at",
    "escalation_level", "delivery_method", "delivery_address", "pickup_warehouse_id", "desired_date", "comment",
    "currency_id", "total_amount", "total_weight", "total_volume", "erp_number", "erp_exported_at",
    "erp_confirmed_at", "created_at", "submitted_at",
)
LINE_FIELDS = ("order_id", "product_id", "sku", "name", "unit_name", "quantity", "price", "amount", "vat_rate",
               "price_source", "position")
CHANGE_FIELDS = ("order_id", "from_status", "to_status", "changed_by_id", "source", "comment", "created_at")
VAT = Decimal("22.00")  # the standard Russian VAT rate since 2026-01-01


def _order_row(number: int, plan: OrderPlan) -> tuple:
    submitted, accepted = plan.reached(S.SUBMITTED), plan.reached(S.ACCEPTED)
    pickup = plan.pickup_warehouse is not None
    return (
        f"DEMO-{number:06d}", plan.client.id, plan.entity.id, plan.contract_id, plan.creator, plan.status,
        plan.changes[-1][2], 0, Order.Delivery.PICKUP if pickup else Order.Delivery.DELIVERY,
        "" if pickup else plan.entity.actual_address, plan.pickup_warehouse,
        plan.created_at.date() + timedelta(days=1 + number % 5), plan.comment, "RUB",
        sum((line[6] for line in plan.lines), Decimal("0.00")), plan.weight, plan.volume,
        f"УТ00-{number:06d}" if accepted else "", submitted + timedelta(minutes=1) if submitted else None, accepted,
        plan.created_at, submitted,
    )


def create_orders(ctx: SeedContext, catalog: Catalog, clients: list[ClientInfo], users: dict[int, dict[str, int]],
                  prices: dict[int, dict], assortments: dict[int, set[int]]) -> None:
    """Plan every active client's orders, number them in time order (DEMO-000001, ...) and write them."""
    history = OrderHistory(ctx, catalog, users, prices, assortments)
    plans = [plan for client in clients if client.active for plan in history.plan(client)]
    plans.sort(key=lambda plan: (plan.created_at, plan.client.number))
    ctx.count("orders", ctx.writer.insert(Order, ORDER_FIELDS, (
        _order_row(number, plan) for number, plan in enumerate(plans, start=1)
    )))
    ids = dict(Order.objects.filter(number__startswith="DEMO-").values_list("number", "pk"))
    order_ids = [ids[f"DEMO-{number:06d}"] for number in range(1, len(plans) + 1)]
    lines = (
        (order_id, *line, VAT, "", position)
        for order_id, plan in zip(order_ids, plans, strict=True)
        for position, line in enumerate(plan.lines, start=1)
    )
    ctx.count("order_lines", ctx.writer.insert(OrderLine, LINE_FIELDS, lines))
    changes = (
        (order_id, previous, status, by, source, comment, at)
        for order_id, plan in zip(order_ids, plans, strict=True)
        for previous, status, at, by, source, comment in plan.changes
    )
    ctx.count("order_status_changes", ctx.writer.insert(OrderStatusChange, CHANGE_FIELDS, changes))
