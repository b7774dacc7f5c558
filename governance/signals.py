"""What governance's services announce, so that the Celery tasks (which call the services) can
follow without the services importing them: governance/apps.py connects the receivers of
governance/tasks.py. Each is sent inside the service's transaction; the receivers enqueue on
commit."""

from django.dispatch import Signal

# An assembly was convened (kwarg: assembly): the convocations are to be sent.
assembly_convened = Signal()
# An assembly was counted and its results published (kwarg: assembly): the minutes follow.
assembly_counted = Signal()
