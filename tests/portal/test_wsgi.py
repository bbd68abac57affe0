"""portal/wsgi.py: the application the web server serves."""

import gc

from django.core.handlers.wsgi import WSGIHandler


def test_the_wsgi_application_freezes_what_the_process_loaded():
    import portal.wsgi

    assert isinstance(portal.wsgi.application, WSGIHandler)
    assert gc.get_freeze_count() > 10_000, "startup objects are kept out of the full collections"
