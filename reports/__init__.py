"""The board's dashboards: the key figures of a year, computed by one selector per figure
(reports.figures), kept in snapshot tables by a Celery task, shown as pages with charts and
exported as CSV/XLSX (and PDF)."""
