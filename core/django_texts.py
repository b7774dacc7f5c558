"""Texts of Django's own admin templates that Django 5.2's Dutch catalog leaves untranslated.

Django falls back to the default language's catalog (settings.LANGUAGE_CODE, French) for a text
its Dutch catalog lacks, so Dutch back-office pages read "Nom du modèle" in a table header
(found by tests/test_day_one_walk.py). Marked here, they are extracted into the project's
catalogs (locale/), which Django reads before its own: each language gets its translation.
"""

from django.utils.translation import gettext_noop

DJANGO_ADMIN_TEXTS = (
    # admin/app_list.html: the headers of the models' table (read by screen readers).
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
)
