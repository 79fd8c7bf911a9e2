"""WSGI entry point: ``lienthong.config.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.config.settings")
application = get_wsgi_application()
