"""What the browser tests share: the Chromium to drive, a page in a fresh context, signing in, the CSP
violations a page recorded, the width check and the screenshots (saved with SCREENSHOTS=1 to
artifacts/screenshots/)."""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery"
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}

# Listens before any script of the page runs (an init script is not subject to the page's policy).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""

# The portal's sign-in form and the admin's: address, login field, submit button, landing page.
PORTAL_LOGIN = ("/accounts/login/", "login", "form.form button[type=submit]", "/catalog/")
ADMIN_LOGIN = ("/admin/login/", "username", "input[type=submit]", "/admin/")


@contextmanager
def chromium():
    """Debian's Chromium, headless, closed on the way out.

    The ORM is used after the block, outside Playwright's event loop.
    """
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, viewport, *, locale: str | None = "ru-RU", record_violations: bool = False,
             scripts: tuple[str, ...] = (), failed: list[str] | None = None, **options):
    """A page in a new context of `viewport` (a VIEWPORTS key or a size), in Russian unless `locale` says.

    `record_violations` keeps the page's CSP violations for `violations()`; `scripts` run before
    every page's own; every answer of 400 and over is appended to `failed` when given.
    """
    size = VIEWPORTS[viewport] if isinstance(viewport, str) else viewport
    context = browser.new_context(viewport=size, locale=locale, **options)
    for script in ((RECORD_VIOLATIONS,) if record_violations else ()) + tuple(scripts):
        context.add_init_script(script)
    page = context.new_page()
    if failed is not None:
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return page


def sign_in(page, base_url: str, email: str, *, password: str = PASSWORD, wait_for: str | None = None,
            admin: bool = False, next_path: str = "") -> None:
    """Sign in through the portal's form, or the admin's with `admin`; `next_path` is where the form sends
    the user on (its `?next=`).

    Then wait for `wait_for` (a path under `base_url`, or a glob), by default `next_path` or the form's
    landing page (the catalog, the admin index); `wait_for=""` waits only for the next page to load.
    """
    path, field, submit, landing = ADMIN_LOGIN if admin else PORTAL_LOGIN
    page.goto(f"{base_url}{path}?next={next_path}" if next_path else f"{base_url}{path}")
    page.fill(f"input[name={field}]", email)
    page.fill("input[name=password]", password)
    page.click(submit)
    if wait_for == "":
        page.wait_for_load_state()
        return
    target = (next_path or landing) if wait_for is None else wait_for
    page.wait_for_url(f"{base_url}{target}" if target.startswith("/") else target)


def violations(page) -> list[str]:
    """The CSP violations the page recorded (a page from `new_page(..., record_violations=True)`)."""
    return page.evaluate("window.__csp")


def assert_fits(page, width: int) -> None:
    """Nothing scrolls sideways in a viewport `width` px wide."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url}: page is {scroll_width}px wide in a {width}px viewport"


def shot(page, name: str, *, caret: str = "hide", also_phone: bool = False) -> None:
    """With SCREENSHOTS=1, save the whole page as <name>.png.

    A phone shot (a name ending in "-phone") also saves what the screen shows before scrolling, as
    <name>-fold.png. `caret="initial"` leaves the text caret alone: Playwright hides it with a style
    attribute that an htmx swap then copies onto new inputs, which the Content-Security-Policy reports.
    `also_phone` shoots a desktop page again at phone width, as <name>-phone.png, once it fits there.
    """
    if os.environ.get("SCREENSHOTS") != "1":
        return
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True, caret=caret)
    if name.endswith("-phone"):
        page.screenshot(path=str(SCREENSHOT_DIR / f"{name}-fold.png"), caret=caret)
    if also_phone:
        page.set_viewport_size(VIEWPORTS["phone"])
        assert_fits(page, VIEWPORTS["phone"]["width"])
        page.screenshot(path=str(SCREENSHOT_DIR / f"{name}-phone.png"), full_page=True, caret=caret)
        page.set_viewport_size(VIEWPORTS["desktop"])
