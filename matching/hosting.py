"""Giving cohorts hosts so that as many cohorts as possible have one.

This is a maximum flow: a cohort needs one host; a host leads at most `max_cohorts` cohorts and sits in
at most one cohort per hour. Cohorts usually outnumber the hosts' places, so the work starts from the
hosts. First each host, those who could lead the fewest cohorts first, takes cohorts without a host at
hours it is free, the cohorts fewest hosts could lead first. Then each host with a place left searches,
breadth first, for a chain of moves that ends at a cohort without a host: the host takes a cohort from
another host, who now has a place (or that cohort's seat at its hour) to offer in turn, and so on.
Cohorts whose host was given (locked or existing cohorts) keep it and never move.

A search that fails has reached only offers (a host's place, or a seat given up) from which no chain can
ever end at a cohort without a host, whatever later searches change (a later chain through them would
have been found), so they are skipped from then on: failed searches cost linear time in total, successful
ones are short when many cohorts wait, and the result is a maximum.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from .model import Host
from .packing import Draft

Meeting = tuple[str, str, int]  # condition, language, hour
# Where a search stands: (host, None) when the host has a place to offer, (host, hour) when the host's
# seat at that hour has been given up by its cohort.
Offer = tuple[int, int | None]


class _HostFlow:
    """Who leads which draft: hosts' loads and seats (one per hour), and the drafts still waiting."""

    def __init__(self, drafts: Sequence[Draft], hosts: Sequence[Host]) -> None:
        self.drafts = drafts
        self.hosts = hosts
        self.load = [0] * len(hosts)
        self.seat: dict[tuple[int, int], int] = {}  # (host, hour) -> draft
        self.host_of: dict[int, int] = {}
        self.waiting_at: dict[Meeting, list[int]] = defaultdict(list)  # drafts that may take a host
        self.meetings_of: list[list[Meeting]] = [[] for _ in hosts]
        self.hosts_at: dict[Meeting, int] = defaultdict(int)  # how many hosts could lead there
        for index, host in enumerate(hosts):
            for condition in sorted(host.conditions):
                for language in sorted(set(host.languages)):
                    for slot in sorted(host.availability):
                        self.meetings_of[index].append((condition, language, slot))
                        self.hosts_at[condition, language, slot] += 1
        self.dead: set[Offer] = set()  # offers no search can succeed through

    def take(self, draft: int, host: int) -> None:
        """Let `host` lead `draft`, releasing the host it had."""
        slot = self.drafts[draft].slot
        previous = self.host_of.get(draft)
        if previous is not None:
            self.load[previous] -= 1
            del self.seat[previous, slot]
        self.host_of[draft] = host
        self.load[host] += 1
        self.seat[host, slot] = draft

    def has_place(self, host: int) -> bool:
        return self.load[host] < self.hosts[host].max_cohorts

    def fill_greedily(self) -> None:
        """Each host, the least flexible first, takes waiting cohorts at its free hours, scarcest first."""
        hosted: dict[Meeting, int] = defaultdict(int)  # how many of a meeting's waiting drafts have a host
        reach = [sum(len(self.waiting_at.get(m, ())) for m in meetings) for meetings in self.meetings_of]
        for host in sorted(range(len(self.hosts)), key=lambda h: (reach[h], h)):
            for meeting in sorted(self.meetings_of[host], key=lambda m: (self.hosts_at[m], m)):
                if not self.has_place(host):
                    break
                waiting = self.waiting_at.get(meeting, ())
                if hosted[meeting] < len(waiting) and (host, meeting[2]) not in self.seat:
                    # Drafts are taken in order, so those with a host come first.
                    self.take(waiting[hosted[meeting]], host)
                    hosted[meeting] += 1

    def augment(self, start: int) -> bool:
        """Find and apply a chain of moves that gives `start`'s free place to a waiting cohort; on
        failure, mark every offer reached dead."""
        came_from: dict[Offer, int | None] = {(start, None): None}  # offer -> the draft that made it
        target: dict[int, Offer] = {}  # draft -> the offer it takes in the chain
        offers = [(start, None)]
        while offers:
            reached = []
            for offer in offers:
                for draft in self._takers(offer):
                    if draft in target:
                        continue
                    target[draft] = offer
                    holder = self.host_of.get(draft)
                    if holder is None:
                        self._apply(draft, target, came_from)
                        return True
                    for next_offer in ((holder, None), (holder, self.drafts[draft].slot)):
                        if next_offer not in came_from and next_offer not in self.dead:
                            came_from[next_offer] = draft
                            reached.append(next_offer)
            offers = reached
        self.dead.update(came_from)
        return False

    def _takers(self, offer: Offer) -> list[int]:
        """Drafts that could take `offer`: at a free hour of its host, or at the hour given up."""
        host, given_up = offer
        if given_up is None:
            meetings = [m for m in self.meetings_of[host] if (host, m[2]) not in self.seat]
        else:
            meetings = [m for m in self.meetings_of[host] if m[2] == given_up]
        return [
            draft
            for meeting in meetings
            for draft in self.waiting_at.get(meeting, ())
            if self.host_of.get(draft) != host
        ]

    def _apply(self, draft: int, target: dict[int, Offer], came_from: dict[Offer, int | None]) -> None:
        chain = []
        while draft is not None:
            offer = target[draft]
            chain.append((draft, offer[0]))
            draft = came_from[offer]
        # From the free place back: each move frees what the one before it takes.
        for moving, host in reversed(chain):
            self.take(moving, host)


def assign_hosts(drafts: Sequence[Draft], hosts: Sequence[Host]) -> None:
    """Set `host` on as many drafts as possible; drafts that already have a host keep it."""
    flow = _HostFlow(drafts, hosts)
    host_index = {host.id: index for index, host in enumerate(hosts)}
    for index, draft in enumerate(drafts):
        if draft.host is not None:
            flow.take(index, host_index[draft.host])
        elif not draft.locked:
            flow.waiting_at[draft.condition, draft.language, draft.slot].append(index)
    flow.fill_greedily()
    for host in range(len(hosts)):
        while flow.has_place(host) and (host, None) not in flow.dead and flow.augment(host):
            pass
    for index, host in flow.host_of.items():
        drafts[index].host = hosts[host].id
