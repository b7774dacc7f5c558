"""Back-office of payroll: workers."""
