"""Type aliases the project shares, for annotations."""

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.http.response import HttpResponseBase

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    # A message: a str, or a lazy translation (gettext_lazy).
    StrOrPromise: TypeAlias = str | _StrPromise
else:
    from django.utils.functional import Promise

    StrOrPromise = str | Promise

# request.user, or the user a service was given.
AnyUser: TypeAlias = AbstractBaseUser | AnonymousUser

# What Django hands a middleware: the next layer, from request to response.
GetResponse: TypeAlias = Callable[[HttpRequest], HttpResponseBase]
