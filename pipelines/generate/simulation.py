"""One programme simulated: the typed columns of every contract table, drawn from seeded streams."""

from __future__ import annotations

import heapq

import numpy as np

from pipelines import settings
from pipelines.generate.calendar import (
    MONTH_DAYS,
    NA,
    Calendar,
    Ids,
    add_months,
    day_number,
    iso_day,
)
from pipelines.generate.reference import (
    ACTIVITY_PROFILES,
    BUDDY_CONTINUES,
    CATALOGUE_ORGS,
    CEFR_LEVEL_SHARES,
    COUNTRIES,
    END_REASON_SHARES,
    GROUP_KINDS,
    REFERRAL_PROFILES,
    REFERRERS,
    REMATCH_REASONS,
    UKRAINE_FROM,
    UKRAINE_WEIGHT,
    choice,
    draw_municipalities,
)
from pipelines.parsers import CEFR_LEVELS, OUTSIDE_BRUSSELS

#
# Typed arrays: ids, text and categories are object arrays of str ("" = missing); dates are
# int64 day numbers, years and counts int64, hours int64 quarter-hours, amounts int64 cents,
# booleans int8 (1/0/-1); NA marks a missing number or date.

Typed = dict[str, np.ndarray]

# Registrations per month relative to the steady flow: a launch ramp (June 2021 - January 2022)
# that brings the duos formed by 31 January 2022 near the target of 150, then a steady flow with
# a summer and a December dip. About 64 % of newcomers are matched (85-88 % get an intake, about
# 75 % of those a buddy), so a launch of ~150 duos plus a steady flow takes ~400 newcomers.
_RAMP = (4.0, 6.5, 6.0, 6.0, 5.0, 4.0, 2.5, 1.5)
_SEASON = {7: 0.7, 8: 0.6, 12: 0.75}
_PARTICIPANTS = 400  # expected newcomers per programme


def simulate_programme(seq: np.random.SeedSequence, index: int, cal: Calendar, ids: Ids) -> dict:
    """Return the typed columns of every table for programme number index."""
    streams = [np.random.default_rng(s) for s in seq.spawn(8)]
    r_org, r_people, r_match, r_contact, r_group, r_flow, r_survey, r_fin = streams
    orgs = _organisations(r_org, index, cal, ids)
    people = _participants(r_people, cal, ids)
    matches, buddies = _matches_and_buddies(r_match, people, cal, ids)
    contacts = _contacts(r_contact, matches, orgs, cal, ids)
    group = _group_activities(r_group, people, matches, orgs, cal, ids)
    flows = _referrals(r_flow, people, matches, orgs, cal)
    surveys = _surveys(r_survey, people, matches, buddies, cal)
    finance = _finance(r_fin, index, group, cal)
    return {
        "organisations": orgs,
        "participants": {k: v for k, v in people.items() if not k.startswith("_")},
        "buddies": {k: v for k, v in buddies.items() if not k.startswith("_")},
        "matches": {k: v for k, v in matches.items() if not k.startswith("_")},
        "contacts": contacts,
        "activities": {k: v for k, v in group.items() if not k.startswith("_")},
        "referrals": flows,
        "surveys": surveys,
        "finance": finance,
    }


def _organisations(rng: np.random.Generator, index: int, cal: Calendar, ids: Ids) -> Typed:
    n = int(rng.integers(45, 56))
    pick = np.sort(rng.choice(len(CATALOGUE_ORGS), size=n, replace=False))
    rows = [CATALOGUE_ORGS[i] for i in pick]
    suffix = f" ({index + 1})" if index else ""  # programmes side by side get distinct names
    names = np.array([r[0] + suffix for r in rows], dtype=object)
    kinds = np.array([r[1] for r in rows], dtype=object)
    drawn = draw_municipalities(rng, "participant", n)
    drawn[drawn == OUTSIDE_BRUSSELS] = "21004"
    municipality = np.array([r[2] or d for r, d in zip(rows, drawn, strict=True)], dtype=object)
    dutch = np.array([1 if r[3] else 0 for r in rows], dtype=np.int8)
    anchor_since = np.full(n, NA, dtype=np.int64)
    candidates = np.flatnonzero(dutch == 1)
    n_anchor = int(rng.integers(12, 21))
    chosen = rng.choice(candidates, size=n_anchor, replace=False)
    # anchor places are designated over the programme, after a first season of working together
    anchor_since[chosen] = np.sort(rng.integers(cal.start + 90, cal.end - 20, size=n_anchor))
    return {
        "organisation_id": ids.take("O", n),
        "name": names,
        "kind": kinds,
        "municipality": municipality,
        "dutch_network": dutch,
        "anchor_since": anchor_since,
    }


def _registration_days(rng: np.random.Generator, cal: Calendar, n: int) -> np.ndarray:
    months = np.arange(
        np.datetime64(iso_day(cal.start), "M"), np.datetime64(iso_day(cal.end), "M") + 1
    )
    weights = np.ones(len(months))
    weights[: len(_RAMP)] = _RAMP
    month_of_year = months.astype(np.int64) % 12 + 1
    for month, factor in _SEASON.items():
        weights[month_of_year == month] *= factor
    m = rng.choice(len(months), size=n, p=weights / weights.sum())
    first = months.astype("datetime64[D]").astype(np.int64)
    length = (months + 1).astype("datetime64[D]").astype(np.int64) - first
    return first[m] + (rng.random(n) * length[m]).astype(np.int64)


def _participants(rng: np.random.Generator, cal: Calendar, ids: Ids) -> Typed:
    n = int(rng.poisson(_PARTICIPANTS))
    registered = np.sort(_registration_days(rng, cal, n))
    # intake 3-30 days after registration, most within two weeks
    has_intake = rng.random(n) < 0.87
    intake = registered + np.minimum(3 + np.round(rng.gamma(1.6, 6.0, n)), 30).astype(np.int64)
    has_intake &= intake <= cal.end
    intake = np.where(has_intake, intake, NA)
    age = np.clip(np.round(18 + rng.gamma(2.6, 5.5, n)), 18, 65).astype(np.int64)
    year = registered.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    birth_year = np.where(rng.random(n) < 0.02, NA, year - age)
    gender = choice(rng, (("F", 0.55), ("M", 0.44), ("X", 0.01)), n)
    country = choice(rng, COUNTRIES, n)
    ukraine_era = registered >= day_number(UKRAINE_FROM)
    total = sum(w for _, w in COUNTRIES)
    country[ukraine_era & (rng.random(n) < UKRAINE_WEIGHT / (total + UKRAINE_WEIGHT))] = "UA"
    country[rng.random(n) < 0.03] = ""
    level = choice(rng, CEFR_LEVEL_SHARES, n)
    # the level is assessed at intake; sometimes it is not written down
    level[(intake == NA) | (rng.random(n) < 0.03)] = ""
    trajectory = (rng.random(n) < 0.85).astype(np.int8)
    referred_by = choice(rng, REFERRERS, n)
    referred_by[rng.random(n) < 0.05] = ""
    return {
        "participant_id": ids.take("D", n),
        "registered_on": registered,
        "intake_on": intake,
        "birth_year": birth_year,
        "gender": gender,
        "country_of_birth": country,
        "municipality": draw_municipalities(rng, "participant", n),
        "dutch_level": level,
        "in_integration_trajectory": trajectory,
        "referred_by": referred_by,
    }


def _outcomes(
    rng: np.random.Generator, matched: np.ndarray, cal: Calendar
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return planned end, end day and end reason (NA and "" for duos running at the end)."""
    n = len(matched)
    planned = add_months(matched, cal.trajectory_months)
    reason = choice(rng, END_REASON_SHARES, n)
    planned_days = planned - matched
    # completed duos close at an evaluation talk around the planned end, often a little later
    completed_days = planned_days + np.clip(np.round(rng.normal(30, 25, n)), -20, 90)
    months = np.select(
        [
            reason == "participant_stopped",
            reason == "buddy_stopped",
            reason == "lost_contact",
            reason == "mismatch",
        ],
        [
            rng.gamma(1.6, 1.1, n),
            rng.gamma(1.8, 1.2, n),
            rng.gamma(2.0, 0.9, n),
            rng.gamma(1.3, 0.6, n),
        ],
        default=0.3 + 5.0 * rng.random(n),  # moving away and other reasons can come at any time
    )
    early_days = np.clip(np.round(months * MONTH_DAYS), 10, planned_days - 10)
    ended = matched + np.where(reason == "completed", completed_days, early_days).astype(np.int64)
    running = ended > cal.end
    ended[running] = NA
    reason[running] = ""
    return planned, ended, reason


def _matches_and_buddies(
    rng: np.random.Generator, people: Typed, cal: Calendar, ids: Ids
) -> tuple[Typed, Typed]:
    n_people = len(people["participant_id"])
    intake = people["intake_on"]
    # time from intake to match: median about four weeks, a long tail past 90 days
    wait = np.round(rng.lognormal(np.log(28), 0.75, n_people)).astype(np.int64)
    matched = np.where(intake == NA, NA, intake + wait)
    wanted = (intake != NA) & (rng.random(n_people) < 0.78) & (matched <= cal.end)
    person = np.flatnonzero(wanted)
    first_on = matched[person]
    planned, ended, reason = _outcomes(rng, first_on, cal)

    # a newcomer whose buddy dropped out, or who did not click with the buddy, gets a new one
    again = np.isin(reason, REMATCH_REASONS) & (rng.random(len(person)) < 0.6)
    second_on = ended + 14 + np.round(rng.gamma(2.0, 12.0, len(person))).astype(np.int64)
    again &= second_on <= cal.end
    p2, e2, r2 = _outcomes(rng, second_on[again], cal)

    person = np.concatenate([person, person[again]])
    matched_on = np.concatenate([first_on, second_on[again]])
    planned = np.concatenate([planned, p2])
    ended = np.concatenate([ended, e2])
    reason = np.concatenate([reason, r2])
    is_rematch = np.concatenate([np.zeros(len(first_on), bool), np.ones(len(p2), bool)])
    order = np.lexsort((person, matched_on))
    person, matched_on, planned = person[order], matched_on[order], planned[order]
    ended, reason, is_rematch = ended[order], reason[order], is_rematch[order]
    n = len(person)

    # buddies: some take a new duo after one ends, the others are new volunteers
    reuse_draw = rng.random(n)
    continue_draw = rng.random(n)
    gap = 21 + np.round(rng.gamma(2.0, 20.0, n)).astype(np.int64)
    buddy = np.empty(n, dtype=np.int64)
    first_match: list[int] = []
    previous: dict[int, int] = {}
    free: list[tuple[int, int]] = []  # (available from, buddy) as a heap
    for i in range(n):
        p, day = int(person[i]), int(matched_on[i])
        if free and free[0][0] <= day and reuse_draw[i] < 0.85 and free[0][1] != previous.get(p):
            b = heapq.heappop(free)[1]
        else:
            b = len(first_match)
            first_match.append(day)
        buddy[i] = b
        previous[p] = b
        if ended[i] != NA:
            keep = BUDDY_CONTINUES.get(str(reason[i]), 0.25)
            if continue_draw[i] < keep:
                heapq.heappush(free, (int(ended[i]) + int(gap[i]), b))

    n_matched = len(first_match)
    first = np.array(first_match, dtype=np.int64)
    lead = 10 + np.round(rng.gamma(2.0, 18.0, n_matched)).astype(np.int64)
    n_idle = int(rng.binomial(n_matched, 0.18))  # volunteers who never got a duo
    reg_idle = rng.integers(cal.start, cal.end, size=n_idle)
    registered = np.concatenate([np.maximum(first - lead, cal.start), reg_idle])
    # training is due before the first duo (idle volunteers: within two months); most make it,
    # a few are trained only after their first duo, some never
    due = np.concatenate([first, reg_idle + 60])
    window = np.maximum(due - registered, 1)
    trained = registered + np.floor(rng.random(len(due)) * window).astype(np.int64)
    late = np.concatenate([rng.random(n_matched) < 0.06, np.zeros(n_idle, dtype=bool)])
    trained[late] = due[late] + rng.integers(7, 60, size=int(late.sum()))
    never = np.concatenate([rng.random(n_matched) < 0.08, rng.random(n_idle) < 0.45])
    trained[never | (trained > cal.end)] = NA

    # buddy ids follow registration order
    order_b = np.argsort(registered, kind="stable")
    rank = np.empty_like(order_b)
    rank[order_b] = np.arange(len(order_b))
    registered, trained = registered[order_b], trained[order_b]
    n_b = len(registered)
    buddy_ids = ids.take("B", n_b)
    young = rng.random(n_b) < 0.6  # young professionals and recently retired volunteers
    age = np.where(young, rng.normal(33, 7, n_b), rng.normal(61, 7, n_b))
    age = age.clip(20, 79).round().astype(np.int64)
    year = registered.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    birth_year = np.where(rng.random(n_b) < 0.03, NA, year - age)
    municipality = draw_municipalities(rng, "buddy", n_b)
    municipality[rng.random(n_b) < 0.02] = ""
    buddies = {
        "buddy_id": buddy_ids,
        "registered_on": registered,
        "trained_on": trained,
        "birth_year": birth_year,
        "gender": choice(rng, (("F", 0.65), ("M", 0.34), ("X", 0.01)), n_b),
        "municipality": municipality,
        "_ended": np.zeros(n_b, dtype=bool),
    }
    buddy_of_match = rank[buddy]
    buddies["_ended"][buddy_of_match[ended != NA]] = True

    matches = {
        "match_id": ids.take("K", n),
        "participant_id": people["participant_id"][person],
        "buddy_id": buddy_ids[buddy_of_match],
        "matched_on": matched_on,
        "planned_end_on": planned,
        "ended_on": ended,
        "end_reason": reason,
        "_person": person,
        "_rematch": is_rematch,
    }
    return matches, buddies


def _org_pool(orgs: Typed, kinds: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Return candidate organisation positions for kinds and weights that favour anchors."""
    dutch = orgs["dutch_network"] == 1
    pool = np.flatnonzero(dutch & np.isin(orgs["kind"], kinds)) if kinds else np.array([], int)
    if len(pool) == 0:
        pool = np.flatnonzero(dutch)
    weights = np.where(orgs["anchor_since"][pool] != NA, 3.0, 1.0)
    return pool, weights / weights.sum()


def _pick(orgs: Typed, kinds: tuple[str, ...], u: np.ndarray) -> np.ndarray:
    """Return organisation ids for uniform draws u, from the pool for kinds."""
    pool, p = _org_pool(orgs, kinds)
    picks = np.minimum(np.searchsorted(np.cumsum(p), u, side="right"), len(pool) - 1)
    return orgs["organisation_id"][pool[picks]]


def _contacts(
    rng: np.random.Generator, matches: Typed, orgs: Typed, cal: Calendar, ids: Ids
) -> Typed:
    n = len(matches["match_id"])
    start = matches["matched_on"]
    stop = np.where(matches["ended_on"] == NA, cal.end, matches["ended_on"])
    span = np.maximum(stop - start, 0)
    reason = matches["end_reason"]
    # duos meet about three times a month (the norm is at least twice); duos that go the
    # distance meet steadily, while those that stop early were already meeting less
    steady = np.isin(reason, ("", "completed"))
    shape = np.where(steady, 8.0, 4.0)
    mean = np.select([reason == "lost_contact", steady], [1.6, 3.4], default=2.5)
    rate = rng.gamma(shape, mean / shape)
    per_match = 1 + rng.poisson(rate * span / MONTH_DAYS)
    total = int(per_match.sum())
    owner = np.repeat(np.arange(n), per_match)
    firsts = np.concatenate([[0], np.cumsum(per_match)[:-1]])
    offset = np.floor(rng.random(total) * (span[owner] + 1)).astype(np.int64)
    offset[firsts] = 0  # the first meeting is the introduction on the day of the match
    day = start[owner] + offset
    order = np.lexsort((day, owner))
    owner, day = owner[order], day[order]

    names = np.array([a[0] for a in ACTIVITY_PROFILES], dtype=object)
    shares = np.array([a[1] for a in ACTIVITY_PROFILES])
    kind = rng.choice(len(ACTIVITY_PROFILES), size=total, p=shares / shares.sum())
    kind[firsts] = 0
    means = np.array([a[2] for a in ACTIVITY_PROFILES])[kind]
    hours_q = np.clip(np.round(4 * rng.gamma(6.0, means / 6.0)), 2, 32).astype(np.int64)
    activity = names[kind]
    activity[rng.random(total) < 0.02] = ""
    org_share = np.array([a[3] for a in ACTIVITY_PROFILES])[kind]
    at_org = rng.random(total) < org_share
    organisation = np.full(total, "", dtype=object)
    org_draw = rng.random(total)
    for k, spec in enumerate(ACTIVITY_PROFILES):
        rows = np.flatnonzero(at_org & (kind == k))
        organisation[rows] = _pick(orgs, spec[4], org_draw[rows])
    return {
        "contact_id": ids.take("C", total),
        "match_id": matches["match_id"][owner],
        "contact_on": day,
        "hours": hours_q,
        "activity": activity,
        "organisation_id": organisation,
    }


def _active_on(matches: Typed, day: int, cal: Calendar) -> np.ndarray:
    stop = np.where(matches["ended_on"] == NA, cal.end, matches["ended_on"])
    return matches["_person"][(matches["matched_on"] <= day) & (stop >= day)]


def _group_activities(
    rng: np.random.Generator, people: Typed, matches: Typed, orgs: Typed, cal: Calendar, ids: Ids
) -> Typed:
    n = int(rng.integers(32, 49))
    days = np.sort(rng.integers(cal.start + 45, cal.end - 5, size=n))
    kinds = choice(rng, GROUP_KINDS, n)
    hours_q = rng.choice(np.array([8, 10, 12, 14, 16]), size=n)
    pool, p = _org_pool(orgs, ("gemeenschapscentrum", "vereniging", "cultuurcentrum"))
    venue = orgs["organisation_id"][rng.choice(pool, size=n, p=p)]
    venue[rng.random(n) < 0.1] = ""
    activity_ids = ids.take("G", n)
    intake = people["intake_on"]
    attended: list[np.ndarray] = []
    attendees: list[np.ndarray] = []
    for g in range(n):
        eligible = np.flatnonzero((intake != NA) & (intake <= days[g]))
        if len(eligible) == 0:
            continue
        # newcomers in a running duo come more often: their buddy brings them along
        weight = np.where(np.isin(eligible, _active_on(matches, int(days[g]), cal)), 3.0, 1.0)
        k = min(int(rng.integers(5, 26)), len(eligible))
        chosen = np.sort(rng.choice(eligible, size=k, replace=False, p=weight / weight.sum()))
        attended.append(np.full(k, g))
        attendees.append(chosen)
    g = np.concatenate(attended) if attended else np.array([], dtype=np.int64)
    person = np.concatenate(attendees) if attendees else g
    return {
        "activity_id": activity_ids[g],
        "activity_on": days[g],
        "participant_id": people["participant_id"][person],
        "hours": hours_q[g],
        "kind": kinds[g],
        "organisation_id": venue[g],
        "_days": days,
        "_kinds": kinds,
        "_ids": activity_ids,
    }


def _referrals(
    rng: np.random.Generator, people: Typed, matches: Typed, orgs: Typed, cal: Calendar
) -> Typed:
    # one flow-through chance per matched newcomer, from the first match to six months after
    person = matches["_person"]
    first = ~matches["_rematch"]
    last_stop: dict[int, int] = {}
    for p, e in zip(person.tolist(), matches["ended_on"].tolist(), strict=True):
        last_stop[p] = cal.end if e == NA else max(e, last_stop.get(p, e))
    who = person[first]
    begin = matches["matched_on"][first]
    stop = np.array([last_stop[p] for p in who.tolist()], dtype=np.int64)
    flows = rng.random(len(who)) < 0.45
    n_each = np.where(flows, 1 + (rng.random(len(who)) < 0.3), 0)
    during = rng.random(len(who)) < 0.75

    # a few newcomers who were never matched find their way too
    matched_people = set(person.tolist())
    intake = people["intake_on"]
    unmatched = np.array(
        [i for i in np.flatnonzero(intake != NA).tolist() if i not in matched_people],
        dtype=np.int64,
    )
    few = unmatched[rng.random(len(unmatched)) < 0.06]

    owner = np.concatenate([np.repeat(who, n_each), few])
    n = len(owner)
    lo = np.concatenate([np.repeat(begin + 21, n_each), intake[few] + 30])
    hi = np.concatenate([np.repeat(np.where(during, stop, stop + 183), n_each), intake[few] + 240])
    referred = lo + np.floor(rng.random(n) * np.maximum(hi - lo, 1)).astype(np.int64)

    kind_idx = rng.choice(len(REFERRAL_PROFILES), size=n, p=[k[1] for k in REFERRAL_PROFILES])
    # a second flow-through of the same person goes somewhere of another kind
    same = np.zeros(n, dtype=bool)
    same[1:] = (owner[1:] == owner[:-1]) & (kind_idx[1:] == kind_idx[:-1])
    kind_idx[same] = (kind_idx[same] + 1) % len(REFERRAL_PROFILES)
    keep = referred <= cal.end - 3
    owner, referred, kind_idx = owner[keep], referred[keep], kind_idx[keep]
    n = len(owner)

    organisation = np.full(n, "", dtype=object)
    draw = rng.random(n)
    with_org = rng.random(n)
    for k, spec in enumerate(REFERRAL_PROFILES):
        rows = np.flatnonzero((kind_idx == k) & (with_org < spec[2]))
        organisation[rows] = _pick(orgs, spec[3], draw[rows])

    # status: referred -> started (most) -> still active after three months, or stopped
    started_on = referred + rng.integers(7, 46, size=n)
    starts = rng.random(n) < 0.78
    three_months = started_on + 91
    lasts = rng.random(n) < 0.68
    stopped_on = started_on + rng.integers(20, 85, size=n)
    status = np.full(n, "referred", dtype=object)
    status_on = referred.copy()
    reached = starts & (started_on <= cal.end)
    status[reached] = "started"
    status_on[reached] = started_on[reached]
    ongoing = reached & lasts & (three_months <= cal.end)
    status[ongoing] = "ongoing_3m"
    status_on[ongoing] = three_months[ongoing]
    quit_ = reached & ~lasts & (stopped_on <= cal.end)
    status[quit_] = "stopped"
    status_on[quit_] = stopped_on[quit_]
    order = np.lexsort((kind_idx, referred))
    names = np.array([k[0] for k in REFERRAL_PROFILES], dtype=object)
    return {
        "participant_id": people["participant_id"][owner[order]],
        "referred_on": referred[order],
        "kind": names[kind_idx[order]],
        "organisation_id": organisation[order],
        "status": status[order],
        "status_on": status_on[order],
    }


def _surveys(
    rng: np.random.Generator, people: Typed, matches: Typed, buddies: Typed, cal: Calendar
) -> Typed:
    n_people = len(people["participant_id"])
    # loneliness propensity per newcomer; the end wave is a little less lonely on average
    lonely = rng.beta(2.0, 2.0, n_people)
    level_base = {"A0": 1.4, "A1": 1.9, "A2": 2.6, "B1": 3.3, "B2": 3.9, "C1": 4.3, "": 2.0}
    confidence = np.array([level_base[str(v)] for v in people["dutch_level"]])
    home = rng.normal(2.8, 0.9, n_people)

    intake = people["intake_on"]
    at_intake = np.flatnonzero((intake != NA) & (rng.random(n_people) < 0.8))
    intake_answered = np.minimum(intake[at_intake] + rng.integers(0, 8, len(at_intake)), cal.end)

    # end wave: after the newcomer's last match has ended, about 60 % answer
    last: dict[int, tuple[int, str]] = {}
    ends = zip(matches["ended_on"].tolist(), matches["end_reason"].tolist(), strict=True)
    for p, end in zip(matches["_person"].tolist(), ends, strict=True):
        last[p] = end  # matches are in date order, so the last one wins
    ended_people = np.array(sorted(p for p, (e, _) in last.items() if e != NA), dtype=np.int64)
    ended_day = np.array([last[p][0] for p in ended_people.tolist()], dtype=np.int64)
    completed = np.array([last[p][1] == "completed" for p in ended_people.tolist()], dtype=bool)
    answers = rng.random(len(ended_people)) < 0.6
    end_answered = ended_day + rng.integers(0, 31, len(ended_people))
    answers &= end_answered <= cal.end
    at_end, end_answered = ended_people[answers], end_answered[answers]
    completed = completed[answers]

    def dj_items(p: np.ndarray, size: int) -> list[np.ndarray]:
        items = [(rng.random(size) < p).astype(np.int64) for _ in range(6)]
        for item in items:
            item[rng.random(size) < 0.02] = NA  # an item left blank now and then
        return items

    def likert(mean: np.ndarray) -> np.ndarray:
        return np.clip(np.round(mean + rng.normal(0, 0.7, len(mean))), 1, 5).astype(np.int64)

    gain = np.where(
        completed, rng.normal(0.18, 0.10, len(at_end)), rng.normal(0.06, 0.10, len(at_end))
    )
    p_end = np.clip(lonely[at_end] - gain, 0.02, 0.98)
    dj_intake = dj_items(lonely[at_intake], len(at_intake))
    dj_end = dj_items(p_end, len(at_end))
    helpful = (rng.random(len(at_end)) < np.where(completed, 0.83, 0.62)).astype(np.int8)
    satisfaction = likert(np.where(completed, 4.2, 3.4))

    # a few buddies answer at the end of their duo
    n_b = len(buddies["buddy_id"])
    b_answer = np.flatnonzero(buddies["_ended"] & (rng.random(n_b) < 0.2))
    stop_by_buddy: dict[str, int] = {}
    for b, e in zip(matches["buddy_id"].tolist(), matches["ended_on"].tolist(), strict=True):
        if e != NA:
            stop_by_buddy[b] = max(e, stop_by_buddy.get(b, e))
    b_ids = buddies["buddy_id"][b_answer]
    b_answered = np.array([stop_by_buddy[b] for b in b_ids.tolist()], dtype=np.int64)
    b_answered = np.minimum(b_answered + rng.integers(0, 31, len(b_ids)), cal.end)

    n_i, n_e, n_bb = len(at_intake), len(at_end), len(b_ids)
    blank = np.full(n_bb, NA, dtype=np.int64)

    def waves(at_intake_: np.ndarray, at_end_: np.ndarray, buddy: np.ndarray) -> np.ndarray:
        return np.concatenate([at_intake_, at_end_, buddy])

    participant_ids = people["participant_id"]
    surveys: Typed = {
        "respondent_id": waves(participant_ids[at_intake], participant_ids[at_end], b_ids),
        "respondent_role": np.array(["participant"] * (n_i + n_e) + ["buddy"] * n_bb, dtype=object),
        "wave": np.array(["intake"] * n_i + ["end"] * (n_e + n_bb), dtype=object),
        "answered_on": waves(intake_answered, end_answered, b_answered),
    }
    for i in range(6):
        surveys[f"dj{i + 1}"] = waves(dj_intake[i], dj_end[i], blank)
    # Dutch and feeling at home improve a little; contacts grow most in completed duos
    surveys["dutch_confidence"] = waves(
        likert(confidence[at_intake]), likert(confidence[at_end] + 0.6), blank
    )
    surveys["feel_at_home"] = waves(likert(home[at_intake]), likert(home[at_end] + 0.45), blank)
    surveys["dutch_speaking_contacts"] = waves(
        rng.poisson(1.0, n_i), rng.poisson(np.where(completed, 3.2, 1.8)), blank
    ).astype(np.int64)
    surveys["helpful_for_integration"] = waves(
        np.full(n_i, -1, dtype=np.int8), helpful, (rng.random(n_bb) < 0.8).astype(np.int8)
    )
    surveys["satisfaction"] = waves(
        np.full(n_i, NA, dtype=np.int64), satisfaction, likert(np.full(n_bb, 4.0))
    )
    # buddies are not asked their level
    levels = _dutch_levels(rng, people, at_intake, at_end, completed)
    surveys["dutch_level"] = waves(*levels, np.full(n_bb, "", dtype=object))
    order = np.lexsort((surveys["respondent_id"], surveys["answered_on"]))
    return {k: v[order] for k, v in surveys.items()}


def _dutch_levels(
    rng: np.random.Generator,
    people: Typed,
    at_intake: np.ndarray,
    at_end: np.ndarray,
    completed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the CEFR level recorded at intake and at the end ('' when not recorded).

    Drawn after every other answer, so the other columns stay as they were. A level rises by a
    step for about 40 % of completed trajectories and 20 % of the others, by two for a few.
    """
    levels = np.array(CEFR_LEVELS, dtype=object)
    rank = {level: i for i, level in enumerate(CEFR_LEVELS)}
    start = np.array([rank.get(str(v), -1) for v in people["dutch_level"]], dtype=np.int64)
    intake = np.where(start[at_intake] >= 0, levels[np.maximum(start[at_intake], 0)], "")
    intake[rng.random(len(at_intake)) < 0.3] = ""  # not every intake form asks it
    u = rng.random(len(at_end))
    up = np.where(u < np.where(completed, 0.05, 0.02), 2, 0)
    up = np.where((up == 0) & (u < np.where(completed, 0.45, 0.22)), 1, up)
    end_rank = np.minimum(start[at_end] + up, len(CEFR_LEVELS) - 1)
    end = np.where(start[at_end] >= 0, levels[np.maximum(end_rank, 0)], "")
    end[rng.random(len(at_end)) < 0.15] = ""
    return intake.astype(object), end.astype(object)


def _finance(rng: np.random.Generator, index: int, group: Typed, cal: Calendar) -> Typed:
    rows: list[tuple[int, str, str, str, int, str]] = []  # day, direction, source, category, cents
    # finance rows have no key but their content: programmes side by side must never coincide
    suffix = f" ({index + 1})" if index else ""

    def income(day: int, source: str, cents: int, text: str) -> None:
        rows.append((min(int(day), cal.end), "income", source, "", int(cents), text + suffix))

    def expense(day: int, category: str, cents: int, text: str) -> None:
        # a bill that arrives after the end is booked on the closing day
        rows.append((min(int(day), cal.end), "expense", "", category, int(cents), text + suffix))

    def cents(low: float, high: float) -> int:
        return int(round(rng.uniform(low, high) * 100))

    granted = settings.programme().funding.granted
    amif = next(g for g in granted if g.source == "flemish_community_amif")
    total = int(round(amif.amount_eur * 100))
    # advance, second advance, balance: the three add up to the grant to the cent
    advance = total * 40 // 100
    tranches = (advance, advance, total - 2 * advance)
    tranche_days = (cal.start + 45, cal.start + 288, cal.end - 75)
    for i, (amount, day) in enumerate(zip(tranches, tranche_days, strict=True)):
        text = f"Subsidie Vlaamse Gemeenschap en AMIF schijf {i + 1}"
        income(day + int(rng.integers(-5, 6)), "flemish_community_amif", amount, text)

    months = np.arange(
        np.datetime64(iso_day(cal.start), "M"), np.datetime64(iso_day(cal.end), "M") + 1
    )
    first_days = months.astype("datetime64[D]").astype(np.int64).tolist()
    for m, first in zip(months, first_days, strict=True):
        label = str(m)
        month_no = int(m.astype(np.int64) % 12 + 1)
        if month_no in (1, 4, 7, 10) or m == months[0]:
            amount = int(rng.choice([7500, 9000, 9500])) * 100
            income(first + int(rng.integers(8, 20)), "vgc_own", amount, f"VGC-middelen {label}")
        expense(first + 27, "staff", cents(4080, 4220), f"Loonkost coördinator {label}")
        if month_no == 5:
            expense(first + 20, "staff", cents(3500, 3700), f"Vakantiegeld {label[:4]}")
        if month_no == 12:
            expense(first + 18, "staff", cents(3800, 4000), f"Eindejaarspremie {label[:4]}")
        expense(first + int(rng.integers(2, 10)), "overhead", cents(260, 420), f"Werking {label}")
        if month_no % 2 == 0:
            day = first + int(rng.integers(5, 25))
            expense(day, "training", cents(250, 700), f"Basisopleiding buddy's {label}")
        if month_no % 3 == 0:
            day = first + int(rng.integers(5, 25))
            expense(day, "communication", cents(120, 900), f"Drukwerk en website {label}")
    for day, kind, gid in zip(group["_days"].tolist(), group["_kinds"], group["_ids"], strict=True):
        text = f"Groepsactiviteit {gid} {kind}"
        expense(day + int(rng.integers(1, 20)), "activities", cents(150, 650), text)
    for _ in range(int(rng.integers(2, 5))):
        income(int(rng.integers(cal.start, cal.end)), "other", cents(250, 2500), "Gift")
    for _ in range(int(rng.integers(3, 7))):
        day = int(rng.integers(cal.start, cal.end))
        expense(day, "other", cents(40, 400), "Verzekering en kleine kosten")
    rows.sort()
    day, direction, source, category, cents, text = (list(c) for c in zip(*rows, strict=True))
    return {
        "booked_on": np.array(day, dtype=np.int64),
        "direction": np.array(direction, dtype=object),
        "source": np.array(source, dtype=object),
        "category": np.array(category, dtype=object),
        "amount_eur": np.array(cents, dtype=np.int64),
        "description": np.array(text, dtype=object),
    }
