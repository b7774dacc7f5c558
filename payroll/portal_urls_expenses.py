"""Portal URLs of payroll (expenses), included in the portal namespace."""

urlpatterns = []
