import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()
# What start-up loaded (modules, settings, URL patterns, ...) lives as long as the process: moved
# out of the cyclic garbage collector's generations, it is not scanned again on every collection
# a request triggers (about half a millisecond a search page), and forked workers share its pages.
gc.freeze()
# A page or API answer allocates thousands of short-lived containers (a search backend's parsed
# answer, the rows, the JSON): with the default threshold (700) the young generation is scanned
# several times per request, each time through all of them. Requests leave no cycles worth
# chasing that often; the young generation is collected every 50,000 allocations instead.
gc.set_threshold(50_000, 20, 20)
