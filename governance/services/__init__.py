"""General assemblies: prepare, convene, vote online, by proxy and in the room, close.

Every write goes through a function of this package (portal, back-office, API, tasks and
commands call the same ones), one module per aggregate:
- assemblies.py: a draft assembly, its agenda, candidates and documents;
- roll.py: convening (rules, wording and roll frozen, the tellers' key) and the voter roll;
- voting.py: the voting window, who may vote, the ballots;
- proxies.py: proxies given, answered, validated, cancelled;
- meeting.py: attendance in the room and paper totals.
The count itself is in governance/tally.py; the board's mandates in governance/board_services.py;
the figures the board sees while the vote is open in governance/selectors.py; why the vote is
secret in docs/VOTING.md.

Locks: everything that changes an assembly's votes (a ballot, a participation, a proxy, the
roll) first locks the assembly's row (base.lock_assembly), so the chain of sealed ballots grows
one link at a time and the proxy cap can't be passed by two requests at once. A second
participation of the same member is refused by the database itself (unique constraint),
whatever the path.
"""
