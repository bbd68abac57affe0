"""The client's analytics (figures against a hand-computed fixture, period, who sees what, query
counts) and the supplier's dashboard in Django admin (scoped to a regional manager's regions)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from catalog.models import SearchMiss
from catalog.services import category_rebuild_tree
from orders.analytics import client_analytics, staff_dashboard
from orders.charts import bars, column_chart, compact_number
from orders.forms import AnalyticsPeriodForm, months_back
from orders.models import OrderEscalation
from orders.status import OrderStatus
from tests.factories import (
    CategoryFactory,
    ClientFactory,
    ClientUserFactory,
    LegalEntityFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    RegionFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db]

S = OrderStatus
JAN1, MAR31 = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)


def _at(month: int, day: int, hour: int = 12, year: int = 2026) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


@pytest.fixture
def spend():
    """A client with two legal entities and orders in every status; figures below are computed by hand.

    Counted (approved or handed to the supplier) in Jan–Mar 2026:
    O1 north, Anna, submitted 10 Jan: fasteners/screws 10 × = 100.50, tools 1 × = 1000.00 (1100.50)
    O2 south, Anna, delivered 20 Jan: fasteners/screws 5 × = 50.25 (50.25)
    O3 north, Boris, accepted 5 Mar: fasteners 3 × = 30.00, no category 2 × = 19.99 (49.99)
    Not counted: a draft, a cancelled, a rejected and an awaiting approval order in February, a
    shipped order of 31 Dec 2025, and another client's delivered order.
    """
    fasteners = CategoryFactory(name="Крепёж")
    screws = CategoryFactory(name="Саморезы", parent=fasteners)
    tools = CategoryFactory(name="Инструмент")
    category_rebuild_tree()
    screw = ProductFactory(sku="SCR-1", name="Саморез 4×40", category=screws)
    bolt = ProductFactory(sku="BLT-1", name="Болт М8", category=fasteners)
    drill = ProductFactory(sku="DRL-1", name="Дрель", category=tools)
    loose = ProductFactory(sku="MSC-1", name="Разное", category=None)

    company = ClientFactory(region=RegionFactory(name="Север"))
    north = LegalEntityFactory(client=company, name="ООО «Север»")
    south = LegalEntityFactory(client=company, name="ООО «Юг»")
    admin = ClientUserFactory(client=company, role=User.Role.ADMINISTRATOR)
    anna = ClientUserFactory(client=company)
    boris = ClientUserFactory(client=company)
    accountant = ClientUserFactory(client=company, role=User.Role.ACCOUNTANT)

    def order(entity, author, status, when, *lines):
        made = OrderFactory(client=company, legal_entity=entity, created_by=author, status=status, created_at=when,
                            total_amount=sum((amount for _p, _q, amount in lines), Decimal(0)))
        for position, (product, quantity, amount) in enumerate(lines):
            OrderLineFactory(order=made, product=product, quantity=Decimal(quantity), amount=Decimal(amount),
                             price=Decimal(amount) / Decimal(quantity), position=position)
        return made

    order(north, anna, S.SUBMITTED, _at(1, 10), (screw, "10", Decimal("100.50")), (drill, "1", Decimal("1000.00")))
    order(south, anna, S.DELIVERED, _at(1, 20), (screw, "5", Decimal("50.25")))
    order(north, boris, S.ACCEPTED, _at(3, 5), (bolt, "3", Decimal("30.00")), (loose, "2", Decimal("19.99")))
    order(north, boris, S.DRAFT, _at(2, 1), (drill, "1", Decimal("1000.00")))
    order(south, anna, S.CANCELLED, _at(2, 2), (screw, "99", Decimal("999.00")))
    order(north, admin, S.REJECTED, _at(2, 3), (bolt, "7", Decimal("70.00")))
    order(north, admin, S.AWAITING_APPROVAL, _at(2, 4), (bolt, "8", Decimal("80.00")))
    order(north, admin, S.SHIPPED, _at(12, 31, 12, year=2025), (drill, "4", Decimal("4000.00")))
    foreign = OrderFactory(status=S.DELIVERED, created_at=_at(2, 10), total_amount=Decimal("777.00"))
    OrderLineFactory(order=foreign, product=drill, quantity=Decimal("7"), amount=Decimal("777.00"))
    return {"client": company, "admin": admin, "anna": anna, "boris": boris, "accountant": accountant,
            "north": north, "south": south, "foreign": foreign}


def _figures(user, date_from=JAN1, date_to=MAR31):
    with translation.override("en"):
        return client_analytics(user=user, date_from=date_from, date_to=date_to)


def test_spending_figures_match_the_hand_computed_fixture(spend):
    figures = _figures(spend["admin"])
    assert figures.currency.code == "RUB"
    assert figures.order_count == 3
    assert figures.total == Decimal("1200.74")
    assert [(bar.value, bar.note) for bar in figures.months] == [
        (Decimal("1150.75"), "2 orders"), (Decimal("0"), "0 orders"), (Decimal("49.99"), "1 order")]
    assert [bar.share for bar in figures.months] == [100.0, 0.0, pytest.approx(4.344, abs=0.001)]
    assert [(bar.label, bar.value) for bar in figures.categories] == [
        ("Инструмент", Decimal("1000.00")), ("Крепёж", Decimal("180.75")), ("Without a category", Decimal("19.99"))]
    assert [(bar.label, bar.value, bar.note) for bar in figures.legal_entities] == [
        ("ООО «Север»", Decimal("1150.49"), "2 orders"), ("ООО «Юг»", Decimal("50.25"), "1 order")]
    assert [(item.sku, item.amount, item.quantity) for item in figures.top_by_amount] == [
        ("DRL-1", Decimal("1000.00"), Decimal("1.000")), ("SCR-1", Decimal("150.75"), Decimal("15.000")),
        ("BLT-1", Decimal("30.00"), Decimal("3.000")), ("MSC-1", Decimal("19.99"), Decimal("2.000"))]
    assert [item.sku for item in figures.top_by_quantity] == ["SCR-1", "BLT-1", "MSC-1", "DRL-1"]


def test_period_narrows_the_figures(spend):
    figures = _figures(spend["admin"], date_from=datetime.date(2026, 3, 1))
    assert (figures.order_count, figures.total) == (1, Decimal("49.99"))
    assert [bar.value for bar in figures.months] == [Decimal("49.99")]
    # The day bounds are inclusive, in the portal's time zone: 31 Dec 2025 12:00 is the shipped order.
    figures = _figures(spend["admin"], date_from=datetime.date(2025, 12, 31), date_to=datetime.date(2025, 12, 31))
    assert (figures.order_count, figures.total) == (1, Decimal("4000.00"))
    empty = _figures(spend["admin"], date_from=datetime.date(2025, 6, 1), date_to=datetime.date(2025, 7, 31))
    assert (empty.order_count, empty.currency, len(empty.months)) == (0, None, 2)


def test_roles_see_the_orders_of_the_history(spend):
    assert _figures(spend["accountant"]).total == Decimal("1200.74")
    # A buyer counts his own orders only, unless the client lets buyers see all the orders.
    assert _figures(spend["anna"]).total == Decimal("1150.75")
    assert _figures(spend["boris"]).total == Decimal("49.99")
    spend["client"].buyers_see_all_orders = True
    spend["client"].save(update_fields=["buyers_see_all_orders"])
    boris = User.objects.get(pk=spend["boris"].pk)
    assert _figures(boris).total == Decimal("1200.74")
    # Supplier staff and users of a blocked client see nothing.
    assert _figures(StaffUserFactory()).order_count == 0


def test_page_shows_the_figures_and_never_another_clients(client, spend):
    client.force_login(spend["accountant"])
    response = client.get(reverse("orders:analytics"), {"date_from": "2026-01-01", "date_to": "2026-03-31"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1\xa0200,74" in html  # Russian by default: grouped with a no-break space
    assert "Инструмент" in html and "ООО «Юг»" in html and "DRL-1" in html
    assert "777" not in html and spend["foreign"].legal_entity.name not in html
    assert '<svg class="chart-columns"' in html and 'role="img"' in html
    assert 'id="analytics-rule"' in html  # the counting rule is stated


def test_page_for_a_buyer_counts_his_orders(client, spend):
    client.force_login(spend["boris"])
    html = client.get(reverse("orders:analytics"), {"date_from": "2026-01-01", "date_to": "2026-03-31"}
                      ).content.decode()
    assert "BLT-1" in html and "DRL-1" not in html


def test_anonymous_goes_to_sign_in(client):
    response = client.get(reverse("orders:analytics"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("params", [
    {"date_from": "2026-03-31", "date_to": "2026-01-01"},
    {"date_from": "2020-01-01", "date_to": "2026-03-31"},
    {"date_from": "2026-13-45"},
    {"months": "7"},
    {"currency": "ZZZZ"},
])
def test_bad_period_shows_an_error_and_the_default(client, spend, params):
    client.force_login(spend["admin"])
    response = client.get(reverse("orders:analytics"), params)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_period_form_presets():
    today = datetime.date(2026, 5, 17)
    assert AnalyticsPeriodForm({}, today=today).period() == (datetime.date(2025, 6, 1), today)
    assert AnalyticsPeriodForm({"months": "3"}, today=today).period() == (datetime.date(2026, 3, 1), today)
    form = AnalyticsPeriodForm({"months": "3", "date_from": "2026-02-10"}, today=today)
    assert form.period() == (datetime.date(2026, 2, 10), today) and form.preset == ""
    assert months_back(datetime.date(2026, 1, 31), 12) == datetime.date(2025, 2, 1)


def _page_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("orders:analytics"), params).status_code == 200
    return len(queries)


def test_page_queries_do_not_grow_with_orders(client, spend, session_queries):
    client.force_login(spend["admin"])
    params = {"date_from": "2026-01-01", "date_to": "2026-03-31"}
    _page_queries(client, params)
    before = _page_queries(client, params)
    for day in range(1, 25):
        made = OrderFactory(client=spend["client"], legal_entity=spend["south"], created_by=spend["anna"],
                            created_at=_at(2, day), total_amount=Decimal("10.00"))
        OrderLineFactory(order=made, product=ProductFactory(category=CategoryFactory()), amount=Decimal("10.00"))
    assert _page_queries(client, params) == before
    # the user with his client, the selector's seven (see test_selector_queries_are_constant), and the
    # header's counters; the same whatever the number of orders
    assert before == 10 + session_queries


def test_selector_queries_are_constant(spend, django_assert_num_queries):
    admin = User.objects.select_related("client").get(pk=spend["admin"].pk)
    with django_assert_num_queries(7):
        _figures(admin)


# The supplier's dashboard


@pytest.fixture
def regions(spend):
    """Spend's client in the north, a client in the south; a regional manager of the north, a superuser."""
    north = spend["client"].region
    south = RegionFactory(name="Юг")
    southern = ClientFactory(region=south, name="ООО «Южный клиент»")
    today = timezone.now()
    mine = OrderFactory(client=spend["client"], legal_entity=spend["north"], created_by=spend["anna"],
                        status=S.SUBMITTED, created_at=today, status_changed_at=today - datetime.timedelta(hours=5),
                        escalation_level=1, number="N-ESC")
    OrderEscalation.objects.create(order=mine, status=S.SUBMITTED, status_since=mine.status_changed_at, level=1)
    theirs = OrderFactory(client=southern, status=S.SUBMITTED, created_at=today, number="S-ESC",
                          status_changed_at=today - datetime.timedelta(hours=5), escalation_level=1)
    OrderEscalation.objects.create(order=theirs, status=S.SUBMITTED, status_since=theirs.status_changed_at, level=1)
    moved = OrderFactory(client=spend["client"], legal_entity=spend["north"], created_by=spend["anna"],
                         status=S.ACCEPTED, created_at=today, status_changed_at=today, number="N-MOVED")
    OrderEscalation.objects.create(order=moved, status=S.SUBMITTED, status_since=today - datetime.timedelta(hours=9),
                                   level=1)
    OrderFactory(client=southern, status=S.DRAFT, created_at=today, number="S-DRAFT")
    SearchMiss.objects.create(query="анкер север", region=north, day=timezone.localdate(), count=4)
    SearchMiss.objects.create(query="анкер юг", region=south, day=timezone.localdate(), count=9)
    manager = StaffUserFactory()
    manager.managed_regions.add(north)
    return {"manager": manager, "superuser": UserFactory(is_staff=True, is_superuser=True), "north": north,
            "south": south}


def test_dashboard_of_a_regional_manager_is_his_regions(regions):
    board = staff_dashboard(user=regions["manager"])
    assert [(bar.label, bar.value) for bar in board.regions] == [("Север", Decimal(2))]
    assert sum(bar.value for bar in board.days) == 2
    assert [item.order.number for item in board.escalations] == ["N-ESC"]
    assert [(miss["query"], miss["total"]) for miss in board.misses] == [("анкер север", 4)]


def test_dashboard_of_a_superuser_is_everything(regions):
    board = staff_dashboard(user=regions["superuser"])
    assert sorted((bar.label, bar.value) for bar in board.regions) == [("Север", Decimal(2)), ("Юг", Decimal(1))]
    assert sorted(item.order.number for item in board.escalations) == ["N-ESC", "S-ESC"]
    assert [miss["query"] for miss in board.misses] == ["анкер юг", "анкер север"]


def test_dashboard_page_in_admin(client, regions, django_assert_max_num_queries):
    client.force_login(regions["manager"])
    index = client.get(reverse("admin:index")).content.decode()
    url = reverse("admin:orders_dashboard")
    assert url in index
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "N-ESC" in html and "S-ESC" not in html and "анкер север" in html and "анкер юг" not in html
    with django_assert_max_num_queries(20):
        client.get(url)


def test_dashboard_refused_to_client_users_and_plain_staff(client, spend):
    client.force_login(spend["admin"])
    assert client.get(reverse("admin:orders_dashboard")).status_code == 302  # to the admin's sign-in
    client.force_login(StaffUserFactory())
    assert client.get(reverse("admin:orders_dashboard")).status_code == 403
    assert reverse("admin:orders_dashboard") not in client.get(reverse("admin:index")).content.decode()


def test_chart_geometry():
    with translation.override("en"):
        chart = column_chart(bars([("Jan", Decimal("200"), ""), ("Feb", Decimal("50"), "1 order"),
                                   ("Mar", Decimal("0"), "")]), unit="₽", places=2)
        assert [(column.height, column.value_label) for column in chart.columns] == [(162.0, "200"), (40.5, "50"),
                                                                                     (0.0, "")]
        assert chart.columns[1].title == "Feb: 50.00\u00a0₽ (1 order)"
        assert chart.width == 480 + 32 and chart.columns[0].x > 0
        assert [compact_number(Decimal(value)) for value in ("950", "12345", "123456", "4500000")] == [
            "950", "12.3 k", "123 k", "4.5 M"]
    assert [bar.share for bar in bars([("a", Decimal(0), "")])] == [0.0]


def test_dashboard_queries_are_constant(regions, django_assert_num_queries):
    with django_assert_num_queries(4):
        staff_dashboard(user=regions["manager"])
    for _index in range(5):
        made = OrderFactory(client=ClientFactory(region=regions["north"]), created_at=timezone.now())
        made.escalation_level = 2
        made.save(update_fields=["escalation_level"])
        OrderEscalation.objects.create(order=made, status=made.status, status_since=made.status_changed_at, level=2)
    with django_assert_num_queries(4):
        board = staff_dashboard(user=regions["manager"])
    assert len(board.escalations) == 6 and board.escalations[0].level == 2
