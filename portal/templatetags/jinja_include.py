"""`{% jinja_include "partials/header.jinja" %}`: a Jinja2 template (templates/jinja2/) inside a Django template.

The page shell's parts (header, user menu, language switch, messages, footer) are Jinja2 templates
shared by every page: a Django `{% include %}` costs about a millisecond per partial on every
request, the same Jinja2 template a tenth of that. The partial sees the including template's whole
context (context processors included), flattened; `request` and `user` are None when the page is
rendered without a request.

`{% jinja_fixed "partials/head.jinja" %}` includes a partial that depends on no request (static URLs,
fixed markup): it is rendered once per process.
"""

from functools import lru_cache

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja_include(context, template_name: str) -> SafeString:
    jinja_template = engines["jinja2"].get_template(template_name).template
    return mark_safe(jinja_template.render({"request": None, "user": None, **context.flatten()}))  # noqa: S308 - escaped by Jinja2


@register.simple_tag
def jinja_fixed(template_name: str) -> SafeString:
    return _rendered_once(template_name)


@lru_cache(maxsize=8)
def _rendered_once(template_name: str) -> SafeString:
    return mark_safe(engines["jinja2"].get_template(template_name).template.render())  # noqa: S308 - escaped by Jinja2
