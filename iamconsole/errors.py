"""Answers for requests that fail because the database is unreachable (a server error, not a bug).

Wired as Django's `handler500` (iamconsole/urls.py): Django calls it inside the `except` that caught the
exception, whichever layer raised it (a middleware reading the session or the user, or a view), so
`sys.exception()` is the failure. A database that cannot be reached is answered with a
Retry-After, and the request's transaction was rolled back by Django (no partial write): the console gets
a plain 503 page saying so, the Query API an AWS-style `ServiceFailure` error document (500,
as AWS and api/views.py answer it). Anything else is
Django's own 500 page. The connection is dropped at the end of the request (Django closes unusable
connections), so the next request reconnects by itself once the database is back.
"""

import logging
import sys
import uuid

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

from iamconsole.backends.errors import ServiceFailure

logger = logging.getLogger(__name__)

RETRY_AFTER = "5"  # seconds: a hint; the load balancer's /readyz decides when traffic comes back
API_PREFIX = "/aws"
SERVICE_FAILURE = "The request processing has failed because of an unknown error, exception or failure."
IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"


def is_outage(error: BaseException | None) -> bool:
    """True for a failure to reach or keep the database (not for a bad query: that is a bug)."""
    for _ in range(5):  # the error, or what it was raised from (a wrapped driver error)
        if error is None:
            return False
        if isinstance(error, (OperationalError, InterfaceError)):
            return True
        error = error.__cause__ or error.__context__
    return False


def service_failure(request_id: str) -> HttpResponse:
    """The Query API's answer, as api/views.py answers its own failures: ServiceFailure (500, Receiver)."""
    from api import xml

    response = HttpResponse(
        xml.error(ServiceFailure(SERVICE_FAILURE), request_id, IAM_NAMESPACE),
        status=500,
        content_type="text/xml",
    )
    response["x-amzn-RequestId"] = request_id
    return response


def unavailable_page() -> HttpResponse:
    """The console's answer: a page that needs neither the database nor the request's context."""
    return HttpResponse(render_to_string("503.html"), status=503)


def server_error(request, template_name: str = defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: the outage answers for a database outage, else Django's 500 page."""
    error = sys.exception()
    if not is_outage(error):
        return defaults.server_error(request, template_name)
    logger.warning("database unreachable: %s (%s %s)", type(error).__name__, request.method, request.path)
    if request.path.startswith(API_PREFIX):
        response = service_failure(str(uuid.uuid4()))
    else:
        response = unavailable_page()
    response["Retry-After"] = RETRY_AFTER
    response["Cache-Control"] = "no-store"
    return response
