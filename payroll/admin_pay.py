"""Back-office of payroll: pay."""
