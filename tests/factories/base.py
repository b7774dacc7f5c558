"""The base of the factories that create through a service instead of Model.objects.create."""

import factory


class ServiceFactory(factory.django.DjangoModelFactory):
    """`_create` calls `service(**fields)`; `build()` is not offered (a service saves)."""

    class Meta:
        abstract = True

    @classmethod
    def service(cls, **fields):
        raise NotImplementedError

    @classmethod
    def _create(cls, model_class, *args, **fields):
        return cls.service(**fields)

    @classmethod
    def _build(cls, model_class, *args, **fields):
        raise TypeError(f"{cls.__name__} creates through a service: use create().")
