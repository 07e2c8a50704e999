"""A coordinator's adjustments to cohorts: moving members (`moves`), changing host or time, splitting, merging
and locking (`cohort_edits`), and backfilling places from the waitlist (`backfill`).

Every change is checked against the matcher's feasibility rules (`feasibility`). A change that would break a
rule not already broken is refused with `NeedsOverride`, and made only when asked again with
`override=True`; the overridden rules go into the audit log. Each change raises the version of every cohort
it touches, and a change made from a page drawn before another change is refused (`StaleCohort`). Like
every service these add and flush; the caller commits.
"""


class AdjustmentError(ValueError):
    """The change was refused; the message says why in plain words."""


class NeedsOverride(AdjustmentError):
    """The change would break feasibility rules, so nothing was changed; `warnings` says which, in words."""

    def __init__(self, warnings: list[str]):
        self.warnings = warnings
        super().__init__("This change would break these rules: " + " ".join(warnings))


class StaleCohort(AdjustmentError):
    """The cohort changed after the page the change came from was drawn."""
