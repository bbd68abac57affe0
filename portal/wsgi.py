"""The WSGI application the web server (gunicorn) serves."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# What the process has loaded by now (Django, the apps, their modules: about 190,000 objects) lives as
# long as the process. Frozen, it is left out of the garbage collector's full collections, which then
# walk only what requests create: about a millisecond instead of a hundred, once every few dozen
# requests (measured on the 200-line cart page; bench/ordering.py starts the same way).
gc.freeze()
