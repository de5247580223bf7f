"""Django's session middleware, except that a session that cannot be saved after the view has
answered leaves the answer as it is.

With a session saved on every request, a database connection lost between a view's commit and
the session's save would otherwise turn the answer into an error page: a clerk would be told a
payment failed that was in fact recorded. The write stands and its answer (the receipt) is
shown; at worst the session is as it was before this request. Enabled in MIDDLEWARE in place of
``django.contrib.sessions.middleware.SessionMiddleware``.
"""

import logging

from django.contrib.sessions import middleware
from django.contrib.sessions.exceptions import SessionInterrupted
from django.db import Error

logger = logging.getLogger(__name__)


class SessionMiddleware(middleware.SessionMiddleware):
    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except (SessionInterrupted, Error) as error:  # Error: DatabaseError and InterfaceError alike
            logger.warning("session not saved after %s %s (answered %s): %r",
                           request.method, request.path, response.status_code, error)
            return response
