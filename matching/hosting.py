"""Giving cohorts hosts so that as many cohorts as possible have one.

This is a maximum flow: a cohort needs one host; a host leads at most `max_cohorts` cohorts and sits in
at most one cohort per hour. Each cohort without a host searches, breadth first, for a chain of moves
that frees a suitable host (a host taking this cohort may hand another cohort at the same hour, or, when
at capacity, any of its cohorts, to a different host). Cohorts whose host was given (locked or existing
cohorts) keep it and never move. A search that fails marks everything it reached as dead: no later
search can succeed through those cohorts or hosts, so failed searches cost linear time in total.
Searching stops once no host has room left, or once searches have looked at `SEARCH_WORK_FACTOR` times
as many (cohort, host) pairs as there are, which keeps time linear in large programs; the result is then
a maximum unless the only remaining chains were long.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence

from .availability import slots_to_mask
from .model import Host
from .packing import Draft

SEARCH_WORK_FACTOR = 4


class _HostFlow:
    def __init__(self, drafts: Sequence[Draft], hosts: Sequence[Host]) -> None:
        self.drafts = drafts
        self.hosts = hosts
        self.host_index = {host.id: index for index, host in enumerate(hosts)}
        self.load = [0] * len(hosts)
        self.seat: dict[tuple[int, int], int] = {}  # (host, hour) -> draft
        self.led: list[dict[int, None]] = [{} for _ in hosts]  # movable drafts per host, in order
        self.host_of: dict[int, int] = {}
        self.spare = sum(host.max_cohorts for host in hosts)  # places left, over all hosts
        self.candidates = self._candidates()
        # (cohort, host) pairs looked at by searches so far, against a limit proportional to all pairs.
        self.work = 0
        self.work_limit = SEARCH_WORK_FACTOR * sum(len(hosts) for hosts in self.candidates)

    def _candidates(self) -> list[list[int]]:
        by_meeting: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        for index, host in enumerate(self.hosts):
            mask = slots_to_mask(host.availability)
            for condition in sorted(host.conditions):
                for language in sorted(set(host.languages)):
                    by_meeting[condition, language].append((index, mask))
        return [
            [
                index
                for index, mask in by_meeting.get((draft.condition, draft.language), ())
                if mask >> draft.slot & 1
            ]
            for draft in self.drafts
        ]

    def take(self, draft: int, host: int, movable: bool = True) -> None:
        """Let `host` lead `draft`, releasing the host it had."""
        slot = self.drafts[draft].slot
        previous = self.host_of.get(draft)
        if previous is not None:
            self.spare += self.load[previous] <= self.hosts[previous].max_cohorts
            self.load[previous] -= 1
            del self.seat[previous, slot]
            self.led[previous].pop(draft)
        self.host_of[draft] = host
        self.load[host] += 1
        self.spare -= self.load[host] <= self.hosts[host].max_cohorts
        self.seat[host, slot] = draft
        if movable:
            self.led[host][draft] = None

    def worth_searching(self) -> bool:
        """Whether a search may still succeed (some host has room) and time is left for one."""
        return self.spare > 0 and self.work <= self.work_limit

    def take_free_host(self, draft: int) -> None:
        """Give `draft` the free suitable host with the most capacity left, if there is one."""
        slot = self.drafts[draft].slot
        free = [
            host
            for host in self.candidates[draft]
            if (host, slot) not in self.seat and self.load[host] < self.hosts[host].max_cohorts
        ]
        if free:
            self.take(
                draft, max(free, key=lambda host: (self.hosts[host].max_cohorts - self.load[host], -host))
            )

    def augment(self, start: int, dead_drafts: set[int], dead_hosts: set[int]) -> bool:
        """Find and apply a chain of moves that gives `start` a host; on failure mark what was reached."""
        parent: dict[int, tuple[int, int] | None] = {start: None}
        seen_hosts: set[int] = set()
        queue = deque([start])
        while queue:
            draft = queue.popleft()
            slot = self.drafts[draft].slot
            self.work += len(self.candidates[draft])
            for host in self.candidates[draft]:
                if self.host_of.get(draft) == host:
                    continue
                holder = self.seat.get((host, slot))
                if holder is not None:
                    # The seat's holder could move to another host at the same hour.
                    displaced = [holder] if holder in self.led[host] else []
                elif self.load[host] < self.hosts[host].max_cohorts:
                    self._apply(parent, draft, host)
                    return True
                elif host in seen_hosts or host in dead_hosts:
                    continue
                else:
                    seen_hosts.add(host)
                    displaced = list(self.led[host])
                for other in displaced:
                    if other not in parent and other not in dead_drafts:
                        parent[other] = (draft, host)
                        queue.append(other)
        dead_drafts.update(parent)
        dead_hosts.update(seen_hosts)
        return False

    def _apply(self, parent: dict[int, tuple[int, int] | None], draft: int, host: int) -> None:
        # Walk back from the free host: each draft takes its new host, freeing the one the previous needs.
        step: tuple[int, int] | None = (draft, host)
        while step is not None:
            draft, host = step
            step = parent[draft]
            self.take(draft, host)


def assign_hosts(drafts: Sequence[Draft], hosts: Sequence[Host]) -> None:
    """Set `host` on as many drafts as possible; drafts that already have a host keep it."""
    flow = _HostFlow(drafts, hosts)
    for index, draft in enumerate(drafts):
        if draft.host is not None:
            flow.take(index, flow.host_index[draft.host], movable=False)
    waiting = [index for index, draft in enumerate(drafts) if draft.host is None and not draft.locked]
    # Most cohorts find a free host directly; the costlier search is left for the rest.
    for index in sorted(waiting, key=lambda index: (len(flow.candidates[index]), index)):
        flow.take_free_host(index)
    dead_drafts: set[int] = set()
    dead_hosts: set[int] = set()
    for index in waiting:
        if not flow.worth_searching():
            break
        if index not in flow.host_of and index not in dead_drafts:
            flow.augment(index, dead_drafts, dead_hosts)
    for index, host in flow.host_of.items():
        drafts[index].host = hosts[host].id
