"""The Jinja2 environment of the hot catalog pages (listing, search, product page) and of the page shell's parts.

Django templates cost about a millisecond per included partial and tag-heavy row; the rows of a
listing are rendered by Jinja2 instead, compiled to Python once. The page itself stays a Django
template (`base.html`) that receives the rendered body, and its header, user menu, language switch,
messages and footer are Jinja2 templates too (`{% jinja_include %}`, portal/templatetags), so
every page renders them fast. Gettext is Django's (the same catalog, msgids equal to the Django
templates' ones), and the filters below behave like Django's: numbers and dates localized,
datetimes shown in the current time zone.
"""

from decimal import Decimal
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import QueryDict
from django.template.defaultfilters import linebreaks_filter
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone
from django.utils.dateformat import format as date_format
from django.utils.dateformat import time_format
from django.utils.translation import get_language, gettext, ngettext, pgettext
from django_htmx.jinja import htmx_script
from jinja2 import Environment


@lru_cache(maxsize=256)
def static_url(path: str) -> str:
    """Django's `static`, once per path: a storage's URL of a file does not change while the process runs (the
    manifest storage reads its manifest once), and the page shell names several on every page."""
    return static(path)


def url(name: str, *args, **kwargs) -> str:
    """Django's `reverse`; a URL without arguments is reversed once per script prefix and URLconf
    (the page shell names a dozen of them on every page)."""
    if not args and not kwargs:
        return _plain_url(name, get_script_prefix(), get_urlconf())
    return reverse(name, args=args or None, kwargs=kwargs or None)


@lru_cache(maxsize=256)
def _plain_url(name: str, prefix: str, urlconf) -> str:
    return reverse(name)


def cart_add_url() -> str:
    """Where product pages post their add-to-cart forms (the orders URL; the catalog does not name it)."""
    return url("cart:add")


def cart_add_many_url() -> str:
    """Where the listing posts its rows to the cart, one or many (the orders URL; the catalog does not name it)."""
    return url("cart:add_many")


def querystring(query: QueryDict, **changes) -> str:
    """Like Django's `{% querystring %}`: `query` with keys changed, or removed when None."""
    params = query.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    if not params and not query:
        return ""
    return f"?{params.urlencode()}"


def number(value) -> str:
    """A Decimal as Django shows `{{ value.normalize }}`: no trailing zeros, the locale's decimal separator."""
    if not isinstance(value, Decimal):
        return formats.localize(value)
    return f"{value.normalize():f}".replace(".", _separators(get_language())[1])


def money(value) -> str:
    """Like Django's `floatformat:"2g"`: two decimals, the locale's separators, grouped by thousands."""
    if value is None:
        return ""
    grouping, _decimal, table = _separators(get_language())
    if grouping != 3:
        return formats.number_format(value, 2, use_l10n=True, force_grouping=True)
    return f"{value:,.2f}".translate(table)


@lru_cache(maxsize=16)
def _separators(language: str) -> tuple[int, str, dict]:
    """A language's number grouping, decimal separator, and the table turning Python's "1,234.50" into its
    own (looked up once: Django's `get_format` costs microseconds, and a listing formats hundreds of numbers)."""
    decimal = formats.get_format("DECIMAL_SEPARATOR", language)
    table = str.maketrans({",": formats.get_format("THOUSAND_SEPARATOR", language), ".": decimal})
    return formats.get_format("NUMBER_GROUPING", language), decimal, table


def plain(value: Decimal) -> str:
    """A Decimal without trailing zeros or exponent, not localized (for form values: "0.5", "10")."""
    return f"{value.normalize():f}"


def media_url(name: str) -> str:
    return default_storage.url(name) if name else ""


@lru_cache(maxsize=8)
def _product_url_pattern(prefix: str, urlconf) -> str:
    return reverse("catalog:product", args=[0]).replace("/0/", "/{}/")


def product_url(pk: int) -> str:
    """`Product.get_absolute_url` without a `reverse` per row (a listing shows up to 100 products)."""
    return _product_url_pattern(get_script_prefix(), get_urlconf()).format(int(pk))


def _local(value):
    return timezone.localtime(value) if getattr(value, "tzinfo", None) is not None else value


def date(value, fmt: str) -> str:
    return date_format(_local(value), fmt) if value else ""


def time(value, fmt: str) -> str:
    return time_format(_local(value), fmt) if value else ""


def now(fmt: str) -> str:
    """Like Django's `{% now fmt %}`: the current time in the current time zone, formatted."""
    return date_format(timezone.localtime(), fmt)


def available_languages() -> list[tuple[str, str]]:
    """Like Django's `{% get_available_languages %}`: (code, name in the current language)."""
    return [(code, gettext(name)) for code, name in settings.LANGUAGES]


def dm(value) -> str:
    """A date's "d.m" (the expected arrival, once per row)."""
    return value.strftime("%d.%m") if value else ""


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # always on, as in Django templates
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True, pgettext=pgettext)
    env.globals.update(url=url, static=static_url, htmx_script=htmx_script, querystring=querystring,
                       media_url=media_url, product_url=product_url,
                       cart_add_url=cart_add_url, cart_add_many_url=cart_add_many_url, now=now,
                       get_language=get_language, available_languages=available_languages)
    env.filters.update(number=number, plain=plain, money=money, date=date, time=time, dm=dm,
                       linebreaks=linebreaks_filter,
                       urlencode=lambda value: quote(str(value), safe="/"))
    return env
