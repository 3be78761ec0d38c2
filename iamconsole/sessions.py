"""Sessions in the database, cached in the shared cache (Redis), that keep working on the database alone
when the cache cannot be reached (issue 8: "without Redis, one instance still works on the database").

Django's cached_db backend already survives a failed cache write; a failed cache read on `exists`, a
failed write after a database read in `load`, and a failed cache delete would still raise. Here each cache
step is best effort, logged, and the database stays the truth.
"""

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore

logger = logging.getLogger(__name__)


class SessionStore(CachedDBStore):
    def load(self):
        try:
            return super().load()
        except Exception as error:  # noqa: BLE001 - the cache is unreachable: the database answers
            logger.warning("sessions: the cache is unreachable (%s); reading the database", error)
            return DBStore.load(self)

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except Exception as error:  # noqa: BLE001
            logger.warning("sessions: the cache is unreachable (%s); reading the database", error)
            return DBStore.exists(self, session_key)

    def delete(self, session_key=None):
        try:
            super().delete(session_key)
        except Exception as error:  # noqa: BLE001 - the database row is gone; the cached copy expires
            logger.warning("sessions: the cache is unreachable (%s); deleted in the database only", error)
