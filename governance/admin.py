"""The governance back-office: assemblies and their votes (admin_assemblies), the board and
the ethics committee (admin_board)."""

from . import admin_assemblies, admin_board  # noqa: F401 - each registers its ModelAdmins
