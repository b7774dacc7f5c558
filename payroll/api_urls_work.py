"""API routes of payroll (work), included under /api/v1/."""

urlpatterns = []
