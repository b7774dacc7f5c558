"""Portal URLs of payroll (workers), included in the portal namespace."""

urlpatterns = []
