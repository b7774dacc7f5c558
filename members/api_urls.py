"""API routes of membership (my membership, shares, certificates), under /api/v1/."""

urlpatterns = []
