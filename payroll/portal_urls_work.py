"""Portal URLs of payroll (work), included in the portal namespace."""

urlpatterns = []
