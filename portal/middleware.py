"""Request middleware of the portal."""


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
