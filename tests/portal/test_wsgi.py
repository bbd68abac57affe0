"""portal/wsgi.py: the application the web server serves, with its garbage collector settings."""

import gc

from django.core.handlers.wsgi import WSGIHandler


def test_the_wsgi_application_freezes_what_the_process_loaded_and_collects_young_objects_less_often():
    threshold = gc.get_threshold()
    try:
        import portal.wsgi

        assert isinstance(portal.wsgi.application, WSGIHandler)
        assert gc.get_freeze_count() > 10_000, "startup objects are kept out of the full collections"
        assert gc.get_threshold() == (10_000, 10, 10)
    finally:
        gc.set_threshold(*threshold)
