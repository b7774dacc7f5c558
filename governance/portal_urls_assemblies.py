"""Portal URLs of general assemblies: agenda, ballot, proxies, results."""

urlpatterns: list = []
