"""The WSGI application the web server (gunicorn) serves."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# The garbage collector, tuned for request work. What the process has loaded by now (Django, the apps,
# their modules: about 190,000 objects) lives as long as the process: frozen, it is left out of full
# collections. A page such as the 200-line cart allocates tens of thousands of objects that live until
# the response is sent; at the default first threshold (700) they are collected young again and again and
# pushed into the old generations, whose full collections then cost 30-40 ms every few such requests (a
# hundred before the freeze). Collecting the young every 10,000 allocations lets them die by reference
# count first: on bench/ordering.py's cart page the slowest of 60 requests went from 91 to 55 ms, the
# median unchanged (bench/ordering.py starts the same way).
gc.freeze()
gc.set_threshold(10_000, 10, 10)
