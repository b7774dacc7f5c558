"""Belgian formats (smartcoop/formats/belgium.py)."""

from ..belgium import *  # noqa: F403  (Django reads these names from this module)
