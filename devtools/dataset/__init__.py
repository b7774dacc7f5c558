"""A year of data at Smart's size (2025 activity report), generated in bulk: see
docs/DATASET.md and `python manage.py generate_dataset`."""
