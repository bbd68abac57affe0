"""Request middleware of the portal."""

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import QueryDict

from base.params import has_nul

from .views import bad_request


class RussianByDefaultMiddleware:
    """Serve Russian unless the user chose another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; the portal's clients
    expect Russian whatever their browser says, and English stays one click away (the choice
    is kept in the language cookie). Must come before LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RequestInputMiddleware:
    """A net for bad input under the views (which parse their own with `base.params`).

    - A query string with more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS keeps its first ones,
      so a listing link with thousands of filter values still shows a page (Django would
      answer 400 wherever `request.GET` is first read).
    - A NUL character in the path or in a query or form field is a 400: PostgreSQL refuses it
      in text and no page of the portal sends one. Form bodies are checked only for views that
      check CSRF (those read the form anyway); the 1C exchange reads its own body.
    Must come after CsrfViewMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.GET  # noqa: B018 (parsed here to catch TooManyFieldsSent)
        except TooManyFieldsSent:
            request.GET = _first_fields(request)
        if has_nul(request.path_info) or _has_nul(request.GET):
            return bad_request(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or getattr(view_func, "csrf_exempt", False):
            return None
        if request.content_type in FORM_CONTENT_TYPES and _has_nul(request.POST):
            return bad_request(request)
        return None


FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(params: QueryDict) -> bool:
    return any(has_nul(key) or any(has_nul(value) for value in values) for key, values in params.lists())


def _first_fields(request) -> QueryDict:
    """The query string's first DATA_UPLOAD_MAX_NUMBER_FIELDS fields (a percent-encoded query is ASCII)."""
    fields = request.META.get("QUERY_STRING", "").split("&")[:settings.DATA_UPLOAD_MAX_NUMBER_FIELDS]
    return QueryDict("&".join(fields), encoding=request.encoding)
