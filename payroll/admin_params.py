"""Back-office of payroll: params."""
