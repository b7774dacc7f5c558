"""Queueing invoicing's Celery tasks from its services, by the tasks' names.

tasks.py imports the services (a task loads ids and calls one service), so a service can't
import tasks.py back: it queues a task by name, from Celery's registry, which
InvoicingConfig.ready fills by importing tasks.py. The task object is the one tasks.py
defines, so it runs eagerly without a broker (CELERY_TASK_ALWAYS_EAGER) as when imported.
"""

from celery import current_app

RENDER_DOCUMENTS = "invoicing.tasks.render_invoice_documents"
SEND_DOCUMENT = "invoicing.tasks.send_document"


def queue_task(name: str, *args: object) -> None:
    """Queue the task registered under `name` with `args` (call it after commit)."""
    current_app.tasks[name].delay(*args)
