"""Password hashing: Argon2id with the parameters OWASP's Password Storage Cheat Sheet gives as
its first recommendation (19 MiB of memory, 2 iterations, 1 lane).

Django's own Argon2 hasher asks for 100 MiB and 8 lanes: about 150 ms of CPU per login on our
2-core machines, against about 25 ms here, with the memory-hard resistance to GPU cracking that
PBKDF2 lacks. Hashes made by the other hashers listed in settings.PASSWORD_HASHERS still verify
and are re-hashed with this one at the next login (Django's upgrade on login).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    algorithm = "argon2"  # the encoded hash says argon2id and its parameters itself
    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
