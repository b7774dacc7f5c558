"""Placeholder until the board demo lands."""


def ensure_board_demo() -> None:
    return None
