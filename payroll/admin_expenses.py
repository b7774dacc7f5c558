"""Back-office of payroll: expenses."""
