"""Back-office of payroll: work."""
