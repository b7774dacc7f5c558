# Models arrive with the work-and-pay and governance issues.
