"""What the portal tells an account, and the e-mail that goes with it.

`kinds` is the one registry (a code, its label, its texts, whether its e-mail may be switched
off); `services.notify` is what the other apps call from their own services (they sit above
members: members never imports them); `tasks` sends the e-mail after commit; `views` are the
member's notifications page and e-mail preferences.
"""
