"""The scheduler worker: carries out due work recorded in the database (messages, Zoom calls).

It runs in its own process (`flask worker`), never inside a web worker. Several workers may run at once:
each row is claimed by exactly one of them (`app.claims`) before it is worked on.
"""
