"""A second, independent implementation of the indicator catalogue in plain pandas.

It is written from the written definitions only (not from indicators/sql or the engine), so
that tests can compare the engine's figures with figures worked out another way.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cache
from pathlib import Path

import country_converter as coco
import numpy as np
import pandas as pd
import yaml
from lifelines import KaplanMeierFitter
from scipy import stats

from pipelines.settings import PROGRAMME_FILE
from pipelines.warehouse import connect_read_only

TABLES = (
    "participants",
    "buddies",
    "matches",
    "contacts",
    "activities",
    "referrals",
    "organisations",
    "surveys",
    "finance",
)
PERSON_DIMS = ("municipality", "gender", "age_band", "region_of_birth", "dutch_level")
OUTPUT_COLUMNS = (
    "id",
    "breakdown",
    "breakdown_value",
    "category",
    "value",
    "numerator",
    "denominator",
    "n",
    "ci_low",
    "ci_high",
)
DJ_ITEMS = ("dj1", "dj2", "dj3", "dj4", "dj5", "dj6")
FLOW_KINDS = {
    "flow_leisure_6m": ("leisure",),
    "flow_volunteering_6m": ("volunteering",),
    "flow_any_6m": ("leisure", "volunteering"),
}
SCORE_COLUMNS = {
    "dutch_confidence_change": "dutch_confidence",
    "feel_at_home_change": "feel_at_home",
}
KINDS = {
    "registrations": "count",
    "intakes": "count",
    "duos_formed": "count",
    "active_duos": "count",
    "match_rate": "ratio",
    "time_to_match_days": "median",
    "buddies_trained_share": "ratio",
    "hours_total": "sum",
    "hours_per_duo": "median",
    "share_40h": "ratio",
    "meeting_norm_share": "ratio",
    "time_to_40h_days": "km_median",
    "newcomers_40h_buddy_share": "ratio",
    "newcomers_40h_share": "ratio",
    "newcomer_time_to_40h_days": "km_median",
    "dutch_level_up_share": "ratio",
    "completion_rate": "ratio",
    "early_closure_rate": "ratio",
    "end_reasons": "distribution",
    "flow_leisure_6m": "ratio",
    "flow_volunteering_6m": "ratio",
    "flow_any_6m": "ratio",
    "flow_at_anchor_share": "ratio",
    "anchor_places": "count",
    "new_anchor_places": "count",
    "organisations_hosting": "count",
    "group_activities": "count",
    "group_activity_participants": "count",
    "loneliness_change": "mean_ci",
    "dutch_confidence_change": "mean_ci",
    "feel_at_home_change": "mean_ci",
    "helpful_for_integration_share": "ratio",
    "survey_response_rate": "ratio",
    "funding_total": "sum",
    "funding_by_source": "distribution",
    "spend_total": "sum",
    "cost_per_duo": "ratio",
    "cost_per_duo_40h": "ratio",
}


@dataclass(frozen=True)
class Tables:
    """The base tables of one snapshot as pandas frames, and the programme's norms."""

    frames: dict[str, pd.DataFrame]
    norms: dict[str, float]

    def __getitem__(self, name: str) -> pd.DataFrame:
        """Return a copy of the named base table."""
        return self.frames[name].copy()


def read_tables(warehouse: Path) -> Tables:
    """Return every base table and the norms of the warehouse's current snapshot."""
    con = connect_read_only(warehouse)
    try:
        frames = {t: con.execute(f"select * from {t}").df() for t in TABLES}
        settings = con.execute("select * from programme_settings").df()
    finally:
        con.close()
    norms = {str(k): float(v) for k, v in zip(settings["name"], settings["value"], strict=True)}
    return Tables(frames, norms)


def programme_id() -> str:
    """Return the programme id from data/programme.yaml."""
    return str(load_programme()["programme"]["id"])


def load_programme() -> dict:
    """Return data/programme.yaml as plain data, read here (not through the product's model)."""
    return yaml.safe_load(PROGRAMME_FILE.read_text(encoding="utf-8"))


def parse_period(text: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first and last day of 'programme', YYYY, YYYY-Qn, YYYY-MM or a..b."""
    if text == "programme":
        p = load_programme()["programme"]
        return pd.Timestamp(p["start_on"]), pd.Timestamp(p["end_on"])
    if re.fullmatch(r"\d{4}", text):
        return pd.Timestamp(f"{text}-01-01"), pd.Timestamp(f"{text}-12-31")
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        year, last_month = int(m[1]), 3 * int(m[2])
        last_day = calendar.monthrange(year, last_month)[1]
        return pd.Timestamp(date(year, last_month - 2, 1)), pd.Timestamp(
            date(year, last_month, last_day)
        )
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(m[1]), int(m[2])
        last_day = calendar.monthrange(year, month)[1]
        return pd.Timestamp(date(year, month, 1)), pd.Timestamp(date(year, month, last_day))
    start, end = text.split("..")
    return pd.Timestamp(start), pd.Timestamp(end)


@cache
def _converter() -> coco.CountryConverter:
    """Return the country converter (building it reads its tables, so it is built once)."""
    return coco.CountryConverter()


@cache
def _un_region(country: str) -> str:
    """Return the UN region of a country code or name, 'unknown' when it is not recognised."""
    region = _converter().convert([country], to="UNregion", not_found=None)
    region = region[0] if isinstance(region, list) else region
    return "unknown" if region is None or region == country else str(region)


def quarter(dates: pd.Series) -> pd.Series:
    """Return each date's quarter as 'YYYY-Qn' (missing dates stay missing)."""
    out = (
        dates.dt.year.astype("Int64").astype(str)
        + "-Q"
        + dates.dt.quarter.astype("Int64").astype(str)
    )
    return out.where(dates.notna(), None).astype(object)


def add_months(dates: pd.Series, months: int) -> pd.Series:
    """Return dates plus whole calendar months, the day clamped to the month's last day."""
    return dates + pd.DateOffset(months=months)


def month_index(dates: pd.Series) -> pd.Series:
    """Return each date's month as a running integer (year * 12 + month - 1)."""
    return dates.dt.year * 12 + dates.dt.month - 1


def in_range(dates: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Return whether each date lies in [start, end] (missing dates do not)."""
    return dates.notna() & (dates >= start) & (dates <= end)


def days_between(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """Return whole days from earlier to later."""
    return (later - earlier).dt.days.astype(float)


def km_median(durations: Iterable[float], events: Iterable[int]) -> float:
    """Return the Kaplan-Meier median (first time the survival is at most 0.5), NaN if never.

    lifelines counts the events and the numbers at risk; the survival product is taken in exact
    fractions because lifelines' own median_survival_time_ multiplies in logarithms, which turns
    an exact 1/2 into 0.5000000000000001 and then reports the next event time.
    """
    durations, events = list(durations), list(events)
    if not durations:
        return float("nan")
    table = KaplanMeierFitter().fit(durations, event_observed=events).event_table
    survival = Fraction(1)
    for time, observed, at_risk in zip(
        table.index, table["observed"], table["at_risk"], strict=True
    ):
        if observed:
            survival *= Fraction(int(at_risk) - int(observed), int(at_risk))
            if survival <= Fraction(1, 2):
                return float(time)
    return float("nan")


class Reference:
    """The units and figures of every indicator for one snapshot, period and as-of date."""

    def __init__(
        self,
        tables: Tables,
        start: pd.Timestamp,
        end: pd.Timestamp,
        as_of: pd.Timestamp,
        programme: str,
    ) -> None:
        """Prepare the as-of views of the base tables that every indicator shares."""
        self.start, self.end, self.as_of, self.programme = start, end, as_of, programme
        self.upto = min(end, as_of)
        self.norms = tables.norms
        self._units: dict[str, pd.DataFrame] = {}
        a = as_of
        self.participants = self._participant_dims(
            tables["participants"].loc[lambda d: d["registered_on"] <= a]
        )
        self.buddies = tables["buddies"].loc[lambda d: d["registered_on"] <= a]
        self.contacts = tables["contacts"].loc[lambda d: d["contact_on"] <= a]
        self.referrals = tables["referrals"].loc[lambda d: d["referred_on"] <= a]
        self.surveys = tables["surveys"].loc[
            lambda d: (d["answered_on"] <= a) & (d["respondent_role"] == "participant")
        ]
        self.finance = tables["finance"].loc[lambda d: d["booked_on"] <= a]
        self.activities = tables["activities"].loc[lambda d: d["activity_on"] <= a]
        self.organisations = tables["organisations"]
        self.matches = self._match_facts(tables["matches"].loc[lambda d: d["matched_on"] <= a])
        first = self.matches.groupby("participant_id")["matched_on"].min()
        self.first_match_quarter = quarter(first).rename("first_match_cohort")
        starts = self.referrals.loc[
            self.referrals["status"].notna() & (self.referrals["status"] != "referred")
        ]
        anchors = self.organisations.set_index("organisation_id")["anchor_since"]
        anchor_since = starts["organisation_id"].map(anchors)
        self.flow_starts = starts.assign(
            at_anchor=(anchor_since.notna() & (anchor_since <= starts["referred_on"]))
        )

    def _participant_dims(self, people: pd.DataFrame) -> pd.DataFrame:
        """Return the participants with their person dimensions, 'unknown' when missing."""
        birth_year = people["birth_year"].to_numpy(dtype=float, na_value=np.nan)
        age = people["registered_on"].dt.year.to_numpy(dtype=float) - birth_year
        bands = np.select(
            [age < 26, age < 36, age < 46, age < 56],
            ["18-25", "26-35", "36-45", "46-55"],
            "56+",
        )
        countries = people["country_of_birth"]
        return people.assign(
            municipality=people["municipality"].fillna("unknown"),
            gender=people["gender"].fillna("unknown"),
            dutch_level=people["dutch_level"].fillna("unknown"),
            age_band=np.where(np.isnan(age), "unknown", bands),
            region_of_birth=["unknown" if pd.isna(c) else _un_region(str(c)) for c in countries],
        )

    def _match_facts(self, matches: pd.DataFrame) -> pd.DataFrame:
        """Return the matches as of A: end as of A, hours as of A and the date 40 h was reached."""
        ended = matches["ended_on"].where(matches["ended_on"] <= self.as_of)
        reason = matches["end_reason"].where(ended.notna(), None)
        hours = self.contacts.groupby("match_id")["hours"].sum()
        ordered = self.contacts.sort_values(["match_id", "contact_on"], kind="stable")
        cumulative = ordered.groupby("match_id")["hours"].cumsum()
        reached = (
            ordered.loc[cumulative >= self.norms["participation_hours"]]
            .groupby("match_id")["contact_on"]
            .min()
        )
        return matches.assign(
            ended_on=ended,
            end_reason=reason,
            end_or_as_of=ended.fillna(self.as_of),
            hours=matches["match_id"].map(hours).fillna(0.0),
            reached_40h_on=matches["match_id"].map(reached),
            cohort=quarter(matches["matched_on"]),
        )

    def _ended_in_period(self) -> pd.DataFrame:
        """Return the matches that ended (as of A) in the period."""
        return self.matches.loc[in_range(self.matches["ended_on"], self.start, self.end)]

    def _match_units(self, matches: pd.DataFrame, **measures: object) -> pd.DataFrame:
        """Return match units: participant, the match's start quarter and the measures."""
        return pd.DataFrame(
            {
                "participant_id": matches["participant_id"],
                "match_cohort": matches["cohort"],
                **measures,
            }
        )

    def units(self, indicator: str) -> pd.DataFrame:
        """Return the indicator's units (one row each) with their measures and dimensions."""
        if indicator not in self._units:
            self._units[indicator] = self._with_dims(self._raw_units(indicator))
        return self._units[indicator]

    def _with_dims(self, units: pd.DataFrame) -> pd.DataFrame:
        """Return the units with programme, person dimensions and match cohort filled in."""
        units = units.reset_index(drop=True)
        if "participant_id" not in units:
            units["participant_id"] = None
        dims = self.participants.set_index("participant_id")[list(PERSON_DIMS)]
        joined = units[["participant_id"]].join(dims, on="participant_id")
        for dim in PERSON_DIMS:
            units[dim] = joined[dim].fillna("unknown").to_numpy()
        if "match_cohort" not in units:
            cohort = units["participant_id"].map(self.first_match_quarter)
            known = units["participant_id"].notna()
            units["match_cohort"] = np.where(known, cohort.fillna("not matched"), "unknown").astype(
                object
            )
        units["programme"] = self.programme
        return units

    def _raw_units(self, indicator: str) -> pd.DataFrame:
        """Return the indicator's units before the dimensions are added."""
        s, e, upto, a = self.start, self.end, self.upto, self.as_of
        p, m = self.participants, self.matches
        if indicator == "registrations":
            return p.loc[in_range(p["registered_on"], s, e), ["participant_id"]]
        if indicator == "intakes":
            return p.loc[in_range(p["intake_on"], s, upto), ["participant_id"]]
        if indicator == "duos_formed":
            return self._match_units(m.loc[in_range(m["matched_on"], s, e)])
        if indicator == "active_duos":
            active = (m["matched_on"] <= e) & (m["ended_on"].isna() | (m["ended_on"] >= s))
            return self._match_units(m.loc[active])
        if indicator == "match_rate":
            window = pd.Timedelta(days=self.norms["match_within_days"])
            cohort = p.loc[in_range(p["intake_on"], s, e) & (p["intake_on"] + window <= a)]
            first = cohort["participant_id"].map(m.groupby("participant_id")["matched_on"].min())
            matched = first.notna() & (first <= cohort["intake_on"] + window)
            return pd.DataFrame(
                {
                    "participant_id": cohort["participant_id"],
                    "num": matched.astype(float),
                    "den": 1.0,
                }
            )
        if indicator == "time_to_match_days":
            first = p["participant_id"].map(m.groupby("participant_id")["matched_on"].min())
            keep = in_range(first, s, e) & p["intake_on"].notna()
            return pd.DataFrame(
                {
                    "participant_id": p.loc[keep, "participant_id"],
                    "value": days_between(first[keep], p.loc[keep, "intake_on"]),
                }
            )
        if indicator == "buddies_trained_share":
            b = self.buddies
            first = b["buddy_id"].map(m.groupby("buddy_id")["matched_on"].min())
            keep = in_range(first, s, e)
            trained = b["trained_on"].notna() & (b["trained_on"] <= first)
            return pd.DataFrame({"num": trained[keep].astype(float), "den": 1.0})
        if indicator == "hours_total":
            return self._hours_units()
        if indicator in ("hours_per_duo", "share_40h", "completion_rate", "early_closure_rate"):
            return self._ended_units(indicator)
        if indicator == "end_reasons":
            ended = self._ended_in_period()
            return self._match_units(
                ended, category=ended["end_reason"].fillna("unknown"), weight=1.0
            )
        if indicator == "meeting_norm_share":
            return self._duo_month_units()
        if indicator == "time_to_40h_days":
            started = m.loc[in_range(m["matched_on"], s, e)]
            event = started["reached_40h_on"].notna()
            until = started["reached_40h_on"].where(event, started["end_or_as_of"])
            return self._match_units(
                started,
                value=days_between(until, started["matched_on"]),
                event=event.astype(int),
            )
        if indicator in ("newcomers_40h_buddy_share", "newcomers_40h_share"):
            return self._newcomer_40h_units(with_groups=indicator == "newcomers_40h_share")
        if indicator == "newcomer_time_to_40h_days":
            return self._newcomer_time_units()
        if indicator == "dutch_level_up_share":
            return self._level_up_units()
        if indicator in FLOW_KINDS:
            return self._flow_units(FLOW_KINDS[indicator])
        if indicator == "flow_at_anchor_share":
            f = self.flow_starts.loc[in_range(self.flow_starts["referred_on"], s, e)]
            return pd.DataFrame(
                {
                    "participant_id": f["participant_id"],
                    "organisation": f["organisation_id"].fillna("none"),
                    "num": f["at_anchor"].astype(float),
                    "den": 1.0,
                }
            )
        if indicator in ("anchor_places", "new_anchor_places"):
            since = self.organisations["anchor_since"]
            first_day = s if indicator == "new_anchor_places" else pd.Timestamp.min
            keep = in_range(since, first_day, upto)
            return pd.DataFrame({"organisation": self.organisations.loc[keep, "organisation_id"]})
        if indicator == "organisations_hosting":
            c = self.contacts.loc[in_range(self.contacts["contact_on"], s, e), "organisation_id"]
            g = self._attendances()["organisation_id"]
            hosts = pd.concat([c, g]).dropna().unique()
            return pd.DataFrame({"organisation": hosts})
        if indicator == "group_activities":
            return self._smallest_organisation("activity_id").drop(columns="activity_id")
        if indicator == "group_activity_participants":
            return self._smallest_organisation("participant_id")
        if indicator in ("loneliness_change", *SCORE_COLUMNS):
            return self._change_units(indicator)
        if indicator == "helpful_for_integration_share":
            end = self._end_surveys_in_period()
            end = end.loc[end["helpful_for_integration"].notna()]
            return pd.DataFrame(
                {
                    "participant_id": end["respondent_id"],
                    "num": (end["helpful_for_integration"] == True).astype(float),  # noqa: E712
                    "den": 1.0,
                }
            )
        if indicator == "survey_response_rate":
            people = self._ended_in_period()["participant_id"].drop_duplicates()
            answered = set(self.surveys.loc[self.surveys["wave"] == "end", "respondent_id"])
            return pd.DataFrame(
                {"participant_id": people, "num": people.isin(answered).astype(float), "den": 1.0}
            )
        if indicator in ("funding_total", "spend_total"):
            direction = "income" if indicator == "funding_total" else "expense"
            bookings = self._bookings(direction)
            return pd.DataFrame({"value": bookings["amount_eur"]})
        if indicator == "funding_by_source":
            income = self._bookings("income")
            return pd.DataFrame(
                {"category": income["source"].fillna("other"), "weight": income["amount_eur"]}
            )
        if indicator in ("cost_per_duo", "cost_per_duo_40h"):
            # two kinds of unit: expense bookings add to the numerator, duos to the denominator
            if indicator == "cost_per_duo":
                duos = in_range(m["matched_on"], s, e).sum()
            else:
                duos = in_range(m["reached_40h_on"], s, upto).sum()
            spend = self._bookings("expense")["amount_eur"]
            return pd.concat(
                [
                    pd.DataFrame({"num": spend.astype(float), "den": 0.0}),
                    pd.DataFrame({"num": np.zeros(duos), "den": 1.0}),
                ]
            )
        raise KeyError(f"No reference definition for indicator '{indicator}'.")

    def _hours_units(self) -> pd.DataFrame:
        """Return one unit per (match, organisation) with the hours of its contacts in period."""
        c = self.contacts.loc[in_range(self.contacts["contact_on"], self.start, self.end)]
        c = c.assign(organisation=c["organisation_id"].fillna("none"))
        pairs = c.groupby(["match_id", "organisation"], as_index=False)["hours"].sum()
        facts = self.matches.set_index("match_id")[["participant_id", "cohort"]]
        pairs = pairs.join(facts, on="match_id", how="inner")
        return pd.DataFrame(
            {
                "participant_id": pairs["participant_id"],
                "match_cohort": pairs["cohort"],
                "organisation": pairs["organisation"],
                "value": pairs["hours"],
            }
        )

    def _ended_units(self, indicator: str) -> pd.DataFrame:
        """Return the matches ended in the period with the measure of an ended-duo indicator."""
        ended = self._ended_in_period()
        if indicator == "hours_per_duo":
            return self._match_units(ended, value=ended["hours"])
        if indicator == "share_40h":
            num = ended["hours"] >= self.norms["participation_hours"]
        elif indicator == "completion_rate":
            num = ended["end_reason"] == "completed"
        else:
            deadline = add_months(ended["matched_on"], int(self.norms["early_closure_months"]))
            num = (ended["ended_on"] < deadline) & (ended["end_reason"].fillna("") != "completed")
        return self._match_units(ended, num=num.astype(float), den=1.0)

    def _duo_month_units(self) -> pd.DataFrame:
        """Return one unit per full active calendar month of a duo wholly inside the period."""
        m = self.matches
        start_month = month_index(m["matched_on"]) + (m["matched_on"].dt.day != 1)
        end = m["end_or_as_of"]
        end_month = month_index(end) - (~end.dt.is_month_end).astype(int)
        first_full = month_index(pd.Series([self.start])).iloc[0] + (self.start.day != 1)
        last_full = month_index(pd.Series([self.end])).iloc[0] - (not self.end.is_month_end)
        lo = np.maximum(start_month.to_numpy(), first_full)
        hi = np.minimum(end_month.to_numpy(), last_full)
        count = np.clip(hi - lo + 1, 0, None)
        rows = np.repeat(np.arange(len(m)), count)
        offsets = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        months = pd.DataFrame(
            {
                "match_id": m["match_id"].to_numpy()[rows],
                "month": lo[rows] + offsets,
                "participant_id": m["participant_id"].to_numpy()[rows],
                "match_cohort": m["cohort"].to_numpy()[rows],
            }
        )
        per_month = (
            self.contacts.assign(month=month_index(self.contacts["contact_on"]))
            .groupby(["match_id", "month"])
            .size()
            .rename("n_contacts")
        )
        months = months.join(per_month, on=["match_id", "month"])
        met = months["n_contacts"].fillna(0) >= self.norms["contacts_per_month"]
        return months[["participant_id", "match_cohort"]].assign(num=met.astype(float), den=1.0)

    def _flow_units(self, kinds: tuple[str, ...]) -> pd.DataFrame:
        """Return one unit per participant of the flow cohort, flagged if they flowed through."""
        months = int(self.norms["flow_window_months"])
        ended = self._ended_in_period()
        ended = ended.assign(window_end=add_months(ended["ended_on"], months))
        cohort = ended.loc[ended["window_end"] <= self.as_of]
        starts = self.flow_starts.loc[self.flow_starts["kind"].isin(kinds)]
        pairs = cohort[["match_id", "participant_id", "matched_on", "window_end"]].merge(
            starts[["participant_id", "referred_on"]], on="participant_id"
        )
        inside = (pairs["referred_on"] >= pairs["matched_on"]) & (
            pairs["referred_on"] <= pairs["window_end"]
        )
        flowed = set(pairs.loc[inside, "participant_id"])
        first = cohort.sort_values("match_id").drop_duplicates("participant_id")
        return pd.DataFrame(
            {
                "participant_id": first["participant_id"],
                "match_cohort": first["cohort"],
                "num": first["participant_id"].isin(flowed).astype(float),
                "den": 1.0,
            }
        )

    def _newcomers(self) -> pd.DataFrame:
        """Return per newcomer with a duo: first match, end of the last duo (NaT while one runs)."""
        m = self.matches
        per = m.groupby("participant_id").agg(
            first_matched_on=("matched_on", "min"),
            last_ended_on=("ended_on", "max"),
            running=("ended_on", lambda ends: ends.isna().any()),
        )
        per.loc[per["running"], "last_ended_on"] = pd.NaT
        return per

    def _hour_log(self, with_groups: bool) -> pd.DataFrame:
        """Return each newcomer's hours by day: with their buddies, and in group activities."""
        owner = self.matches.set_index("match_id")["participant_id"]
        c = self.contacts.loc[self.contacts["match_id"].isin(owner.index)]
        log = pd.DataFrame(
            {
                "participant_id": c["match_id"].map(owner),
                "day": c["contact_on"],
                "hours": c["hours"],
            }
        )
        if with_groups:
            g = self.activities
            log = pd.concat(
                [
                    log,
                    pd.DataFrame(
                        {
                            "participant_id": g["participant_id"],
                            "day": g["activity_on"],
                            "hours": g["hours"].astype(float).fillna(0.0),
                        }
                    ),
                ]
            )
        return log

    def _newcomer_40h_units(self, with_groups: bool) -> pd.DataFrame:
        """Return one unit per newcomer whose last duo ended in the period: reached 40 h or not."""
        per = self._newcomers()
        cohort = per.loc[in_range(per["last_ended_on"], self.start, self.end)]
        hours = self._hour_log(with_groups).groupby("participant_id")["hours"].sum()
        total = cohort.index.map(hours).fillna(0.0)
        reached = np.asarray(total, dtype=float) >= self.norms["participation_hours"]
        return pd.DataFrame(
            {"participant_id": cohort.index, "num": reached.astype(float), "den": 1.0}
        )

    def _newcomer_time_units(self) -> pd.DataFrame:
        """Return one unit per newcomer first matched in the period: days to 40 h, or censored."""
        per = self._newcomers()
        cohort = per.loc[in_range(per["first_matched_on"], self.start, self.end)]
        log = self._hour_log(with_groups=True).sort_values(["participant_id", "day"])
        daily = log.groupby(["participant_id", "day"], as_index=False)["hours"].sum()
        daily["cumulative"] = daily.groupby("participant_id")["hours"].cumsum()
        reached = (
            daily.loc[daily["cumulative"] >= self.norms["participation_hours"]]
            .groupby("participant_id")["day"]
            .min()
        )
        reached_on = cohort.index.map(reached)
        event = pd.Series(reached_on, index=cohort.index).notna()
        censored = cohort["last_ended_on"].fillna(self.as_of)
        until = pd.Series(reached_on, index=cohort.index).where(event, censored)
        # hours before the first match (a group activity) count from the first match on
        until = until.where(until >= cohort["first_matched_on"], cohort["first_matched_on"])
        return pd.DataFrame(
            {
                "participant_id": cohort.index,
                "value": days_between(until, cohort["first_matched_on"]).to_numpy(),
                "event": event.astype(int).to_numpy(),
            }
        )

    def _level_up_units(self) -> pd.DataFrame:
        """Return one unit per newcomer with a Dutch level at intake and a later one in period."""
        levels = ["A0", "A1", "A2", "B1", "B2", "C1", "C2"]
        s = self.surveys.loc[self.surveys["dutch_level"].notna()]
        intake = s.loc[s["wave"] == "intake"].set_index("respondent_id")["dutch_level"]
        registered = self.participants.set_index("participant_id")["dutch_level"]
        registered = registered.loc[registered.isin(levels)]
        start_level = intake.combine_first(registered)
        later = s.loc[s["wave"].isin(["end", "follow_up"])].copy()
        later["order"] = (later["wave"] == "follow_up").astype(int)
        later = later.sort_values("order").drop_duplicates("respondent_id", keep="last")
        later = later.loc[in_range(later["answered_on"], self.start, self.end)]
        later = later.loc[later["respondent_id"].isin(start_level.index)]
        rank = {level: i for i, level in enumerate(levels)}
        step = later["dutch_level"].map(rank) - later["respondent_id"].map(start_level).map(rank)
        return pd.DataFrame(
            {
                "participant_id": later["respondent_id"],
                "num": (step >= 1).astype(float),
                "den": 1.0,
            }
        )

    def _attendances(self) -> pd.DataFrame:
        """Return the group activity attendances dated in [S, min(E, A)]."""
        a = self.activities
        return a.loc[in_range(a["activity_on"], self.start, self.upto)]

    def _smallest_organisation(self, key: str) -> pd.DataFrame:
        """Return each distinct key among the attendances with its smallest organisation."""
        attendances = self._attendances()
        smallest = (
            attendances.dropna(subset=["organisation_id"]).groupby(key)["organisation_id"].min()
        )
        keys = attendances[key].drop_duplicates()
        return pd.DataFrame({key: keys, "organisation": keys.map(smallest).fillna("none")})

    def _end_surveys_in_period(self) -> pd.DataFrame:
        """Return the participants' end questionnaires answered in the period (and by A)."""
        s = self.surveys
        return s.loc[(s["wave"] == "end") & in_range(s["answered_on"], self.start, self.end)]

    def _change_units(self, indicator: str) -> pd.DataFrame:
        """Return one unit per participant with end and intake scores: their difference."""

        def score(frame: pd.DataFrame) -> pd.Series:
            if indicator == "loneliness_change":
                items = frame[list(DJ_ITEMS)].astype("Float64")
                return items.sum(axis=1, skipna=False)
            return frame[SCORE_COLUMNS[indicator]].astype("Float64")

        end = self._end_surveys_in_period()
        intake = self.surveys.loc[self.surveys["wave"] == "intake"]
        end_scores = pd.Series(score(end).to_numpy(), index=end["respondent_id"]).dropna()
        intake_scores = pd.Series(score(intake).to_numpy(), index=intake["respondent_id"]).dropna()
        both = end_scores.index.intersection(intake_scores.index)
        change = end_scores[both] - intake_scores[both]
        return pd.DataFrame({"participant_id": both, "value": change.astype(float).to_numpy()})

    def _bookings(self, direction: str) -> pd.DataFrame:
        """Return the finance bookings of one direction booked in the period (and by A)."""
        f = self.finance
        return f.loc[(f["direction"] == direction) & in_range(f["booked_on"], self.start, self.end)]

    def figures(
        self,
        indicator: str,
        breakdown: str | None = None,
        filters: Mapping[str, Iterable[str]] | None = None,
    ) -> pd.DataFrame:
        """Return the indicator's overall row and, with a breakdown, one row per value present."""
        units = self.units(indicator)
        for dim, values in (filters or {}).items():
            units = units.loc[units[dim].isin(list(values))]
        kind = KINDS[indicator]
        parts = [aggregate(kind, units, None).assign(breakdown=None, breakdown_value=None)]
        if breakdown is not None:
            parts.append(aggregate(kind, units, breakdown).assign(breakdown=breakdown))
        frame = pd.concat(parts, ignore_index=True).assign(id=indicator)
        return frame.reindex(columns=list(OUTPUT_COLUMNS))


def aggregate(kind: str, units: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Return the figure rows of the units: one per value of `by`, or one overall row.

    The overall row exists even without units; breakdown rows only for the values present.
    """
    if by is None:
        key = pd.Categorical(np.full(len(units), "overall"), categories=["overall"])
    else:
        key = units[by].astype(str).to_numpy()
    if kind == "distribution":
        return _distribution(units, key)
    groups = units.groupby(key, observed=False, sort=True)
    size = groups.size()
    out = pd.DataFrame(
        np.nan, index=size.index, columns=["value", "numerator", "denominator", "ci_low", "ci_high"]
    )
    out["n"] = size
    if kind == "count":
        out["value"] = size.astype(float)
    elif kind == "sum":
        out["value"] = groups["value"].sum()
    elif kind == "median":
        out["value"] = groups["value"].median()
    elif kind == "km_median":
        out["value"] = [
            km_median(units.loc[key == k, "value"], units.loc[key == k, "event"]) for k in out.index
        ]
    elif kind == "mean_ci":
        mean, sd = groups["value"].mean(), groups["value"].std(ddof=1)
        t = stats.t.ppf(0.975, np.maximum(size - 1, 1))
        half = np.where(size >= 2, t * sd / np.sqrt(size), np.nan)
        out["value"], out["ci_low"], out["ci_high"] = mean, mean - half, mean + half
    else:
        num, den = groups["num"].sum(), groups["den"].sum()
        out["numerator"], out["denominator"] = num, den
        # n counts the denominator's units (the duos, for the cost ratios)
        out["n"] = den.astype(int)
        out["value"] = (num / den).where(den > 0)
    return out.rename_axis("breakdown_value").reset_index().assign(category=None)


def _distribution(units: pd.DataFrame, key: pd.Categorical | np.ndarray) -> pd.DataFrame:
    """Return one row per group and category: its weight, the group's total and the share."""
    groups = units.groupby([key, units["category"]], observed=True, sort=True)["weight"]
    out = groups.agg(numerator="sum", n="size").rename_axis(["breakdown_value", "category"])
    out = out.reset_index()
    totals = out.groupby("breakdown_value", observed=True)["numerator"].transform("sum")
    return out.assign(denominator=totals, value=out["numerator"] / totals)
