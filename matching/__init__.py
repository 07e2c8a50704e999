"""Peer Meet-ups' matcher: groups registrants into small hosted cohorts. Pure: no Flask, no database.

Entry points: `matcher.match(problem) -> Assignment` on the typed core of `model`; `availability.utc_slots`
to turn local weekly windows into UTC hours for a real week; `codec` for the JSON of docs/interfaces.md;
`validate.check_assignment` to hold any assignment to the rules; `python -m matching` (see `cli`).
`match` also suggests hours to people it leaves waiting (`suggestions.add_suggestions`).
`exact` (needs OR-Tools) and `synthetic` serve the tests and the benchmark.

Incremental use. A problem may carry existing `cohorts` (in JSON: output-shaped cohorts plus
`"locked": true|false`); their members must also be listed among the registrants, and a registrant
belongs to at most one of them (both are checked).

- A locked cohort comes back exactly as given: same members, host, hour; nobody is added, and it is never
  checked against the rules (it is the coordinator's decision). Its host's hour and capacity are taken.
- An unlocked cohort keeps its members, hour, language and host, and is never broken up, even when below
  `min_size`. Its open places (up to `max_size`) are filled first, before any new cohort forms, from the
  registrants in no cohort, least flexible first, and only with people who keep every rule (language,
  hour, stage gap, avoid requests). If it has no host, one may be given.
- New cohorts are then formed from who is left; their ids are c1, c2, ... skipping ids in use.

With `max_concurrent` (the program's Zoom capacity), every given cohort, locked or not, counts towards it,
and new cohorts never take an hour beyond it.

Feeding an assignment back in (its cohorts as given cohorts) gives the same assignment again.
"""
