"""The cart in a real browser, desktop (1280 px) and phone (375 px).

From the listing: a quantity that breaks the multiplicity is offered the nearest valid ones and one
is picked; several rows are added at once (one in packs). Then the header badge opens the cart,
where a quantity, a unit and a refused quantity are edited in place. With SCREENSHOTS=1 the cart is
saved to artifacts/screenshots/cart-desktop.png and cart-phone.png.
"""

import re

import pytest

from tests.browser.pages import VIEWPORTS, assert_fits, chromium, expect, new_page, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_buyer_adds_from_the_listing_and_edits_the_cart(live_server, cart_data, viewport):
    size = VIEWPORTS[viewport]
    products = cart_data["products"]
    strict, plain, dowel = products["KR-4824"], products["KR-4835"], products["DB-10100"]
    with chromium() as browser:
        page = new_page(browser, size)
        sign_in(page, live_server.url, "buyer@example.com")
        page.goto(f"{live_server.url}/catalog/fasteners/")
        count = page.locator("#cart-count")

        # A quantity off the multiplicity: the nearest ones are offered; picking one adds it.
        page.fill(f"#q-{strict.pk}", "50")
        page.click(f"button[name=only][value='{strict.pk}']")
        status = page.locator(f"#st-{strict.pk}")
        status.get_by_text("Кратность 24 шт: 48 шт или 72 шт?").wait_for()
        assert count.inner_text() == "0"
        shot(page, f"cart-listing-choice-{viewport}")
        status.get_by_role("button", name="72 шт").click()
        status.locator(".add-to-cart-ok").wait_for()
        expect(count).to_have_text("1")

        # Several rows at once, one of them in packs; Enter in a quantity adds the selection too.
        page.fill(f"#q-{plain.pk}", "100")
        page.select_option(f"select[name=u-{dowel.pk}]", str(cart_data["pack"].pk))
        page.fill(f"#q-{dowel.pk}", "2")
        page.press(f"#q-{dowel.pk}", "Enter")
        page.locator("#bulk-status").get_by_text("2 позиции добавлены в корзину.").wait_for()
        expect(count).to_have_text("3")
        assert_fits(page, size["width"])
        shot(page, f"cart-listing-{viewport}")

        # The header badge opens the cart.
        page.click("a.cart-badge")
        page.wait_for_url(f"{live_server.url}/cart/")
        assert page.locator("tr.cart-line").count() == 3
        rows = {sku: page.locator("tr.cart-line", has_text=sku) for sku in ("KR-4824", "KR-4835", "DB-10100")}
        assert rows["DB-10100"].locator("select.unit-select").input_value() == str(cart_data["pack"].pk)
        assert "Под заказ" in rows["DB-10100"].inner_text()  # nothing in stock, expected in 9 days
        totals = page.locator("#cart-totals")
        assert "2551,84" in "".join(totals.inner_text().split())  # 72×3.47 + 100×4.12 + 100×18.90

        # A new quantity: the row and the totals follow.
        row = rows["KR-4835"]
        row.locator("input[name=quantity]").fill("150")
        row.locator("input[name=quantity]").press("Enter")
        expect(page.locator("#cart-totals .totals-amount dd")).to_have_text(re.compile(r"2\s?757,84"))

        # A unit alone: the same quantity, counted in packs.
        line_id = rows["KR-4824"].get_attribute("id")
        rows["KR-4824"].locator("select.unit-select").select_option(str(cart_data["pack"].pk))
        expect(page.locator(f"#{line_id} input[name=quantity]")).to_have_value("6")

        # A refused quantity in the cart: the choices, then one of them.
        row = page.locator("tr.cart-line", has_text="KR-4824")
        row.locator("input[name=quantity]").fill("5")
        row.locator("input[name=quantity]").press("Enter")
        error = page.locator("tr.cart-line", has_text="KR-4824").locator(".line-error")
        error.get_by_text("Кратность 24 шт: 4 упак или 6 упак?").wait_for()
        page.evaluate("window.scrollTo(0, 0)")
        shot(page, f"cart-refusal-{viewport}")
        error.get_by_role("button", name="4 упак").click()
        expect(page.locator(".line-error")).to_have_count(0)
        row = page.locator("tr.cart-line", has_text="KR-4824")
        assert row.locator("input[name=quantity]").input_value() == "4"
        assert "= 48 шт" in row.inner_text()

        # Buy under the legal entity and contract.
        page.select_option("#cart-terms-select", index=1)
        expect(page.locator("#cart-terms-select option[value=':']")).to_have_count(0)
        assert_fits(page, size["width"])
        page.evaluate("window.scrollTo(0, 0)")
        shot(page, f"cart-{viewport}")
