"""API routes of payroll (workers), included under /api/v1/."""

urlpatterns = []
