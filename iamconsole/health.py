"""`/readyz`: may this worker take traffic? (`/healthz` only says the process answers.)

Ready when the database answers a query and, if REDIS_URL is set, the cache answers too. The answer is
public and says nothing else (no versions, hosts or errors): 200 `ready` or 503 `not ready`. Why it is
not ready goes to the server log.
"""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def database_ready() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "not ready", whatever the driver raises
        logger.warning("readyz: database unreachable: %s", type(error).__name__)
        return False
    return True


def cache_ready() -> bool:
    if not settings.REDIS_URL:
        return True  # the local-memory cache cannot be down
    try:
        cache.get("readyz-probe")
    except Exception as error:
        logger.warning("readyz: Redis unreachable: %s", type(error).__name__)
        return False
    return True


@login_not_required
@require_GET
@never_cache
def readyz(request):
    ready = database_ready() and cache_ready()
    return HttpResponse(
        "ready" if ready else "not ready", status=200 if ready else 503, content_type="text/plain"
    )
