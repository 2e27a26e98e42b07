-- The warehouse as it was known on the as-of date, with the dimensions used for breakdowns.
-- Created as temporary views on each read-only connection. The dates come from session
-- variables (period_start, period_end, as_of) bound by the engine, never from string formatting.

create or replace temp view norms as
select
    max(value) filter (where name = 'participation_hours') as norm_hours,
    max(value) filter (where name = 'contacts_per_month') as norm_contacts,
    cast(max(value) filter (where name = 'match_within_days') as integer) as match_days,
    cast(max(value) filter (where name = 'early_closure_months') as integer) as early_months,
    cast(max(value) filter (where name = 'flow_window_months') as integer) as flow_months
from programme_settings;

create or replace temp view asof_participants as
select *
from participants
where registered_on <= getvariable('as_of');

create or replace temp view asof_buddies as
select *
from buddies
where registered_on <= getvariable('as_of');

create or replace temp view asof_matches as
select
    match_id,
    participant_id,
    buddy_id,
    matched_on,
    planned_end_on,
    case when ended_on <= getvariable('as_of') then ended_on end as ended_on,
    case when ended_on <= getvariable('as_of') then end_reason end as end_reason
from matches
where matched_on <= getvariable('as_of');

create or replace temp view asof_contacts as
select *
from contacts
where contact_on <= getvariable('as_of');

create or replace temp view asof_match_facts as
with contact_totals as (
    select
        match_id,
        count(*) as n_contacts,
        sum(hours) as hours_total
    from asof_contacts
    group by match_id
)
select
    asof_matches.*,
    coalesce(contact_totals.n_contacts, 0) as n_contacts,
    coalesce(contact_totals.hours_total, 0) as hours_total,
    case
        when match_facts.reached_40h_on <= getvariable('as_of') then match_facts.reached_40h_on
    end as reached_40h_on,
    match_facts.match_cohort
from asof_matches
left join contact_totals on contact_totals.match_id = asof_matches.match_id
left join match_facts on match_facts.match_id = asof_matches.match_id;

create or replace temp view asof_referrals as
select *
from referrals
where referred_on <= getvariable('as_of');

-- A flow-through start: a referral whose status is past 'referred'; its date is referred_on.
create or replace temp view asof_flow_starts as
select
    asof_referrals.participant_id,
    asof_referrals.kind,
    asof_referrals.referred_on as started_on,
    asof_referrals.organisation_id,
    coalesce(organisations.anchor_since <= asof_referrals.referred_on, false) as at_anchor_place
from asof_referrals
left join organisations on organisations.organisation_id = asof_referrals.organisation_id
where coalesce(asof_referrals.status, 'referred') <> 'referred';

create or replace temp view asof_surveys as
select
    *,
    case
        when dj1 is not null and dj2 is not null and dj3 is not null
            and dj4 is not null and dj5 is not null and dj6 is not null
            then dj1 + dj2 + dj3 + dj4 + dj5 + dj6
    end as loneliness_score
from surveys
where answered_on <= getvariable('as_of');

create or replace temp view asof_finance as
select *
from finance
where booked_on <= getvariable('as_of');

-- One row per participant with the attributes used for breakdowns and filters.
create or replace temp view participant_dims as
with first_match as (
    select
        participant_id,
        min(matched_on) as first_matched_on
    from asof_matches
    group by participant_id
)
select
    participants.participant_id,
    coalesce(participants.municipality, 'unknown') as municipality,
    coalesce(participants.gender, 'unknown') as gender,
    case
        when participants.birth_year is null then 'unknown'
        when year(participants.registered_on) - participants.birth_year < 26 then '18-25'
        when year(participants.registered_on) - participants.birth_year < 36 then '26-35'
        when year(participants.registered_on) - participants.birth_year < 46 then '36-45'
        when year(participants.registered_on) - participants.birth_year < 56 then '46-55'
        else '56+'
    end as age_band,
    coalesce(country_regions.region_of_birth, 'unknown') as region_of_birth,
    coalesce(participants.dutch_level, 'unknown') as dutch_level,
    coalesce(
        year(first_match.first_matched_on) || '-Q' || quarter(first_match.first_matched_on),
        'not matched'
    ) as match_cohort
from participants
left join first_match on first_match.participant_id = participants.participant_id
left join country_regions on country_regions.country_of_birth = participants.country_of_birth;
