"""Portal URLs of payroll (pay), included in the portal namespace."""

urlpatterns = []
