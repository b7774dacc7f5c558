"""Facts read on many pages that change only when rows of a few models are saved or deleted.

A `SignalCached` keeps each answer in the cache beside the generation it was computed in;
any save or delete of the models it follows (by any path that sends Django's signals: the
services, the admin, the shell) renews the generation, so the next read computes it again.
The generation is renewed at the save and once more when the transaction commits: a reader
who computed the answer between the two, before the change was visible, can't keep it.

Writes that bypass the signals (`QuerySet.update()`, raw SQL, COPY) on the followed models
must call `forget()` themselves (a bulk load such as generate_dataset clears the cache); after
`migrate` (a data migration's historical models send no signal the receivers know) every
answer is forgotten (core.apps). One cache round trip a read (the generation and the answer
together).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar
from uuid import uuid4

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

# A safety net only: the signals forget the answers as soon as they may be wrong.
DEFAULT_SECONDS = 3600

_EVERY: list[SignalCached[Any]] = []


class SignalCached(Generic[T]):
    """`compute(*args)` kept per `args` until a followed model changes (see the module)."""

    def __init__(
        self, name: str, compute: Callable[..., T], *, seconds: int = DEFAULT_SECONDS
    ) -> None:
        self.name = name
        self.compute = compute
        self.seconds = seconds
        self.generation_key = f"cached:{name}:generation"
        _EVERY.append(self)

    def _key(self, args: tuple[Hashable, ...]) -> str:
        return f"cached:{self.name}:" + ":".join(str(arg) for arg in args)

    def _renew(self) -> None:
        cache.set(self.generation_key, uuid4().hex, None)

    def _generation(self, found: dict[str, Any]) -> str:
        generation = found.get(self.generation_key)
        if generation is None:
            generation = uuid4().hex
            # add(): a generation renewed meanwhile by a change is kept.
            if not cache.add(self.generation_key, generation, None):
                generation = cache.get(self.generation_key)
        return str(generation)

    def get(self, *args: Hashable, **given: object) -> T:
        """The answer for `args` (its key: ids, dates), computed only when none is kept for
        this generation. `given` goes to `compute` and not into the key: objects that `args`
        identify (the account whose id is the key)."""
        key = self._key(args)
        found = cache.get_many([self.generation_key, key])
        generation = self._generation(found)
        kept = found.get(key)
        if kept is not None and kept[0] == generation:
            return kept[1]
        value = self.compute(*args, **given)
        cache.set(key, (generation, value), self.seconds)
        return value

    def forget(self, **_signal_kwargs: object) -> None:
        """Every kept answer is computed again at its next read (now, and after the commit)."""
        self._renew()
        transaction.on_commit(self._renew)

    def follow(self, *senders: type[models.Model]) -> None:
        """Forget the answers whenever a row of `senders` is saved or deleted (call it in an
        AppConfig.ready)."""
        for sender in senders:
            for event, signal in (("saved", post_save), ("deleted", post_delete)):
                signal.connect(
                    self.forget,
                    sender=sender,
                    weak=False,
                    dispatch_uid=f"cached:{self.name}:{sender._meta.label}:{event}",
                )


def forget_everything(**_signal_kwargs: object) -> None:
    """Every `SignalCached` forgets its answers (core.apps calls it after `migrate`)."""
    for cached in _EVERY:
        cached.forget()
