"""An attacker's reading of the public impact statistics, used by test_impact_disclosure.py.

The attacker downloads every table `GET /api/v1/stats/impact` publishes (overall, each `by`, each filter
combination the API accepts), reads each published figure as bounds on a true count (exact when the
figure is exact, +/- (base - 1) when the answer says counts are rounded, unknown when hidden) and then
combines them until nothing more can be learnt:

- a table's total is the sum of its groups (the overall row minus the other groups of a breakdown);
- a cell reached through a filter is the sum of the same cell under each value of that filter
  (`by=year` overall minus `by=year&provider=qpgj` leaves the other providers' year);
- within a row, SEN roles add up to `employed_sen`, which is part of `employed`, part of `respondents`,
  part of `certified`, part of `learners_trained`;
- a cell with the same people in it is the same unknown, however it was reached.

The attacker is generous to itself: it knows every provider, qualification, cohort, municipality and
year that has data, and which published cells hold exactly the same people. Bounds are propagated to a
fixed point and then every value still open for a protected cell is tried on its own (a value that makes
the published tables contradict each other is ruled out). The reasoning is sound: a cell reported as
determined really is determined by the published figures.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field

from credentials.choices import LIVE_CERTIFICATE_STATUSES, EnrolmentStatus
from credentials.models import Enrolment
from outcomes.choices import EMPLOYED_STATUSES, EmploymentStatus
from outcomes.models import EmployerSurvey, TracerResponse

INF = math.inf
DIMENSIONS = ("provider", "cohort", "qualification", "municipality", "gender", "year")
FILTERS = ("provider", "qualification")
# Published count -> (id space of the records it counts, family of records).
COUNTS = {
    "learners_trained": "enrolment",
    "certified": "enrolment",
    "respondents": "enrolment",
    "employed": "enrolment",
    "employed_sen": "enrolment",
    "employed_public_school": "enrolment",
    "employed_municipality": "enrolment",
    "employed_private_family": "enrolment",
    "employer_surveys": "survey",
}
SEN_PARTS = ("employed_public_school", "employed_municipality", "employed_private_family")
# Each family is contained in the next: (part, whole).
NESTED = (
    ("employed_sen", "employed"),
    ("employed", "respondents"),
    ("respondents", "certified"),
    ("certified", "learners_trained"),
)


# --- the truth (what the attacker wants to learn), computed from the database on its own ---------------


@dataclass
class Record:
    id: int
    space: str
    attrs: dict
    families: set = field(default_factory=set)


def microdata() -> list[Record]:
    """Every enrolment and employer survey, with the public attributes the tables group by and the
    families (published counts) it falls in; the documented definitions, computed without outcomes.stats."""
    people: dict[int, Record] = {}
    enrolments = Enrolment.objects.select_related(
        "learner__municipality", "cohort__municipality", "cohort__provider", "cohort__curriculum__qualification"
    )
    for e in enrolments:
        municipality = e.learner.municipality or e.cohort.municipality
        provider = e.cohort.provider.slug
        attrs = {
            "provider": provider,
            "qualification": e.cohort.curriculum.qualification.code,
            "cohort": f"{provider}/{e.cohort.code}",
            "year": str(e.cohort.end_date.year) if e.cohort.end_date else "unknown",
            "municipality": municipality.slug if municipality else "unknown",
            "gender": e.learner.gender or "unknown",
        }
        record = Record(e.pk, "enrolment", attrs)
        if e.status != EnrolmentStatus.WITHDRAWN:
            record.families.add("learners_trained")
        if e.certificates.filter(status__in=LIVE_CERTIFICATE_STATUSES).exists():
            record.families.add("certified")
        people[e.pk] = record
    latest: dict[int, TracerResponse] = {}
    for response in TracerResponse.objects.order_by("wave"):
        latest[response.enrolment_id] = response
    sen = {
        EmploymentStatus.EMPLOYED_PUBLIC_SCHOOL: "employed_public_school",
        EmploymentStatus.EMPLOYED_MUNICIPALITY: "employed_municipality",
        EmploymentStatus.EMPLOYED_PRIVATE_FAMILY: "employed_private_family",
    }
    for enrolment_id, response in latest.items():
        record = people[enrolment_id]
        if "certified" not in record.families:
            continue
        record.families.add("respondents")
        if response.employment_status in EMPLOYED_STATUSES:
            record.families.add("employed")
        if response.employment_status in sen:
            record.families |= {"employed_sen", sen[response.employment_status]}
    surveys = [
        Record(s.pk, "survey", people[s.enrolment_id].attrs, {"employer_surveys"})
        for s in EmployerSurvey.objects.all()
        if "certified" in people[s.enrolment_id].families
    ]
    return [*people.values(), *surveys]


# --- what is published -----------------------------------------------------------------------------


def collect(client, url: str, providers: list[str], qualifications: list[str]) -> dict:
    """Every table the API answers: each filter combination x (overall + each `by`)."""
    tables = {}
    for provider, qualification in itertools.product([None, *providers], [None, *qualifications]):
        for by in (None, *DIMENSIONS):
            params = {k: v for k, v in (("provider", provider), ("qualification", qualification), ("by", by)) if v}
            response = client.get(url, params)
            assert response.status_code == 200, response.content
            tables[(provider, qualification, by)] = response.json()
    return tables


# --- the attack ------------------------------------------------------------------------------------


class Contradiction(Exception):
    pass


class Attack:
    """Bounds on every unknown, and the sums that tie them together."""

    def __init__(self, tables: dict, records: list[Record]):
        self.tables = tables
        self.records = records
        self.lo: dict = {}
        self.hi: dict = {}
        self.truth: dict = {}
        self.exact_in_print: set = set()  # nodes some table states exactly
        self.named: dict = {}  # node -> a readable name of one published cell it is
        self.relations: list[tuple] = []
        self.touching: dict = defaultdict(list)
        self.any_table = next(iter(tables.values()))
        self.base = self.any_table.get("rounding_base", 1)
        # An answer that does not round lists every group that has anyone in it.
        self.complete_listing = self.base == 1
        self.providers = sorted({k[0] for k in tables if k[0]})
        self.qualifications = sorted({k[1] for k in tables if k[1]})
        self.cohort_attrs = {}
        for r in records:
            if r.space == "enrolment":
                self.cohort_attrs[r.attrs["cohort"]] = {a: r.attrs[a] for a in ("provider", "qualification", "year")}
        self.universe = {d: set() for d in DIMENSIONS}
        for r in records:
            for d in DIMENSIONS:
                self.universe[d].add(r.attrs[d])
        for body in tables.values():
            for g in body["groups"]:
                self.universe[body["by"]].add(g["key"])
        self.universe["provider"] = set(self.providers)
        self.universe["qualification"] = set(self.qualifications)
        self._aux = itertools.count()
        self._members_cache: dict = {}
        self._read()
        self._relate()

    # nodes -----------------------------------------------------------------------------------------

    def _constraints(self, filters: dict, dimension: str | None, key: str | None) -> dict | None:
        """The attributes a cell fixes; None when they contradict each other (a cell known to be empty)."""
        c = dict(filters)
        if dimension:
            if dimension in c and c[dimension] != key:
                return None
            c[dimension] = key
        if "cohort" in c:
            for attr, value in self.cohort_attrs.get(c["cohort"], {}).items():
                if attr in c and c[attr] != value:
                    return None
                c[attr] = value
        return c

    def _members(self, constraints: dict, family: str) -> frozenset:
        cache_key = (frozenset(constraints.items()), family)
        if cache_key not in self._members_cache:
            self._members_cache[cache_key] = frozenset(
                r.id
                for r in self.records
                if family in r.families and all(r.attrs[a] == v for a, v in constraints.items())
            )
        return self._members_cache[cache_key]

    def node(self, constraints: dict, family: str):
        """A cell's unknown: the same people are the same unknown however they were reached."""
        members = self._members(constraints, family)
        empty = ("empty", family, frozenset(constraints.items()))
        key = ("people", COUNTS[family], members) if members else empty
        self._ensure(key, len(members))
        return key

    def _ensure(self, key, truth: int) -> None:
        if key not in self.lo:
            self.lo[key], self.hi[key], self.truth[key] = 0, INF, truth

    def _aux_node(self, members: frozenset, space: str, truth: int):
        key = ("people", space, members) if members else ("aux", next(self._aux))
        self._ensure(key, truth)
        return key

    def bound(self, key, lo, hi) -> None:
        self.lo[key] = max(self.lo[key], lo)
        self.hi[key] = min(self.hi[key], hi)

    # reading the tables ------------------------------------------------------------------------------

    def _interval(self, value) -> tuple[float, float] | None:
        if value is None:
            return None
        if self.base == 1:
            return value, value
        if value == 0:
            return 0, self.base - 1
        return max(0, value - self.base + 1), value + self.base - 1

    def _read_row(self, constraints: dict, row: dict, *, is_group: bool, label: str) -> None:
        for family in COUNTS:
            key = self.node(constraints, family)
            self.named.setdefault(key, f"{label} {family}")
            interval = self._interval(row.get(family))
            if interval is None:
                if family == "learners_trained" and is_group:
                    self.bound(key, 1, INF)  # a listed group has someone in it
                elif family == "learners_trained" and row["suppressed"]:
                    # An overall row is suppressed only under the minimum size (both methods say so).
                    self.bound(key, 0, self.any_table["min_group_size"] - 1)
                continue
            self.bound(key, *interval)
            if interval[0] == interval[1]:
                self.exact_in_print.add(key)
        reached = row.get("municipalities_reached")
        if reached:
            # Each municipality counted holds at least one learner.
            self.bound(self.node(constraints, "learners_trained"), reached, INF)

    def _read(self) -> None:
        for (provider, qualification, by), body in self.tables.items():
            filters = {k: v for k, v in (("provider", provider), ("qualification", qualification)) if v}
            label = f"[{provider or '*'}|{qualification or '*'}]"
            self._read_row(self._constraints(filters, None, None), body["overall"], is_group=False, label=label)
            if by is None:
                continue
            listed = set()
            for group in body["groups"]:
                constraints = self._constraints(filters, by, group["key"])
                assert constraints is not None, (by, group["key"], filters)
                self._read_row(constraints, group, is_group=True, label=f"{label} {by}={group['key']}")
                listed.add(group["key"])
            for key in self.universe[by] - listed:
                constraints = self._constraints(filters, by, key)
                if constraints is None:
                    continue
                node = self.node(constraints, "learners_trained")
                self.named.setdefault(node, f"{label} {by}={key} (not listed) learners_trained")
                if self.complete_listing:
                    for family in COUNTS:
                        self.bound(self.node(constraints, family), 0, 0)
                else:
                    self.bound(node, 0, self.base - 1)  # rounded to 0, so not listed

    # relations -------------------------------------------------------------------------------------

    def relate(self, parent, children) -> None:
        children = list(children)
        index = len(self.relations)
        self.relations.append((parent, children))
        for n in (parent, *children):
            self.touching[n].append(index)

    def _relate(self) -> None:
        filter_sets = [
            {k: v for k, v in (("provider", p), ("qualification", q)) if v}
            for p, q in itertools.product([None, *self.providers], [None, *self.qualifications])
        ]
        for filters in filter_sets:
            for dimension in (None, *DIMENSIONS):
                for key in sorted(self.universe[dimension]) if dimension else [None]:
                    cell = self._constraints(filters, dimension, key)
                    if cell is None:
                        continue
                    self._relate_row(cell)
                    for attr in FILTERS:
                        if attr in cell:
                            continue
                        parts = [self._constraints({**filters, attr: v}, dimension, key) for v in self.universe[attr]]
                        for family in COUNTS:
                            self.relate(self.node(cell, family), [self.node(p, family) for p in parts if p])
            for dimension in DIMENSIONS:
                if dimension in filters:
                    continue
                whole = self._constraints(filters, None, None)
                parts = [self._constraints(filters, dimension, k) for k in sorted(self.universe[dimension])]
                for family in COUNTS:
                    self.relate(self.node(whole, family), [self.node(p, family) for p in parts if p])

    def _relate_row(self, cell: dict) -> None:
        self.relate(self.node(cell, "employed_sen"), [self.node(cell, f) for f in SEN_PARTS])
        for part, whole in NESTED:
            inner, outer = self._members(cell, part), self._members(cell, whole)
            if not inner <= outer:
                continue
            rest = self._aux_node(outer - inner, "enrolment", len(outer - inner))
            self.relate(self.node(cell, whole), [self.node(cell, part), rest])

    # solving ---------------------------------------------------------------------------------------

    def propagate(self, lo: dict, hi: dict, start=None, trail: list | None = None) -> None:
        """Tighten bounds through every sum until nothing changes; Contradiction if none fits. Each change
        is first noted in `trail` (node, lo, hi), so a trial can be undone."""

        def note(n):
            if trail is not None:
                trail.append((n, lo[n], hi[n]))

        queue = list(range(len(self.relations))) if start is None else list(start)
        queued = set(queue)
        while queue:
            index = queue.pop()
            queued.discard(index)
            parent, children = self.relations[index]
            changed = []
            sum_lo = sum(lo[c] for c in children)
            unbounded = sum(1 for c in children if hi[c] == INF)
            finite_hi = sum(hi[c] for c in children if hi[c] != INF)
            sum_hi = INF if unbounded else finite_hi
            if sum_lo > lo[parent]:
                note(parent)
                lo[parent] = sum_lo
                changed.append(parent)
            if sum_hi < hi[parent]:
                note(parent)
                hi[parent] = sum_hi
                changed.append(parent)
            for c in children:
                if hi[c] == INF:
                    others_hi = INF if unbounded > 1 else finite_hi
                else:
                    others_hi = INF if unbounded else finite_hi - hi[c]
                new_lo = lo[parent] - others_hi
                if new_lo > lo[c]:
                    note(c)
                    lo[c] = new_lo
                    changed.append(c)
                new_hi = hi[parent] - (sum_lo - lo[c])
                if new_hi < hi[c]:
                    note(c)
                    hi[c] = new_hi
                    changed.append(c)
            for n in changed:
                if lo[n] > hi[n]:
                    raise Contradiction(n)
                for other in self.touching[n]:
                    if other not in queued:
                        queued.add(other)
                        queue.append(other)

    def solve(self) -> None:
        for n in self.lo:
            if self.lo[n] > self.hi[n]:
                raise AssertionError(f"the published tables contradict each other at {self.named.get(n, n)}")
        self.propagate(self.lo, self.hi)
        for n in self.lo:
            assert self.lo[n] <= self.truth[n] <= self.hi[n], (self.named.get(n, n), self.truth[n], self.lo[n])

    def protected(self) -> list:
        """Unknowns holding 1 to 4 people that no table states exactly: hidden or perturbed cells, and
        the differences inside a row (e.g. respondents who are not employed)."""
        return [n for n in self.lo if 1 <= self.truth[n] <= 4 and n not in self.exact_in_print]

    def feasible_values(self, node) -> list[int]:
        """The values of `node` that survive propagation when tried one at a time."""
        values = []
        top = self.hi[node] if self.hi[node] != INF else self.lo[node] + 50
        for value in range(int(self.lo[node]), int(top) + 1):
            trail = [(node, self.lo[node], self.hi[node])]
            self.lo[node] = self.hi[node] = value
            try:
                self.propagate(self.lo, self.hi, start=self.touching[node], trail=trail)
                values.append(value)
            except Contradiction:
                pass
            for n, lo, hi in reversed(trail):
                self.lo[n], self.hi[n] = lo, hi
        return values

    def determined(self, *, probe: bool = True) -> list[tuple[str, int]]:
        """Protected cells whose true value the published tables give away."""
        found = []
        for n in self.protected():
            if self.lo[n] == self.hi[n] or (probe and len(self.feasible_values(n)) == 1):
                found.append((self.named.get(n, "a difference inside a row"), self.truth[n], n))
        return found
