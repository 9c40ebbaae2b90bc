import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()
# What start-up loaded (modules, settings, URL patterns, ...) lives as long as the process: moved
# out of the cyclic garbage collector's generations, it is not scanned again on every collection
# a request triggers (about half a millisecond a search page), and forked workers share its pages.
gc.freeze()
