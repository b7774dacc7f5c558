from django.db import IntegrityError, transaction
from django.db.models import F

from .models import Counter


def counter_next(key: str) -> int:
    """The next value of a gap-free counter, taken under a row lock.

    Must run inside the caller's transaction: a rollback gives the number back, so numbers
    stay consecutive (unlike a database sequence).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("counter_next must run inside a transaction")
    updated = Counter.objects.filter(key=key).update(value=F("value") + 1)
    if not updated:
        try:
            with transaction.atomic():
                Counter.objects.create(key=key, value=1)
            return 1
        except IntegrityError:
            Counter.objects.filter(key=key).update(value=F("value") + 1)
    return Counter.objects.get(key=key).value
