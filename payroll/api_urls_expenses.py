"""API routes of payroll (expenses), included under /api/v1/."""

urlpatterns = []
