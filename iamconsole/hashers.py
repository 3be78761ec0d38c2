"""Argon2 for console passwords, with parameters chosen for this console's budget.

Django's default Argon2 parameters (memory 100 MiB, parallelism 8) cost well over 50 ms a hash on a
small machine; the add-users wizard hashes up to 10 passwords in one request. These parameters
(RFC 9106's second recommended option scaled down: 19 MiB, 2 passes, 1 lane, as OWASP lists) keep
one hash near 20-40 ms on 2 cores while staying memory-hard.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class ConsoleArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19_456
    parallelism = 1
