"""Portal URLs of membership (joining, shares, certificates), in the portal namespace."""

urlpatterns = []
