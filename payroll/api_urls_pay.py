"""API routes of payroll (pay), included under /api/v1/."""

urlpatterns = []
