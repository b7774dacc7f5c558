"""Placeholder until the board's services land (mandates, cooptations): the assembly's count
calls these three."""


def pending_ratifications():
    return []


def mandates_start_for_elected(*, item, elected, by):
    return []


def ratification_decided(*, item, adopted, by):
    return None
