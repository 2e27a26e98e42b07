-- participant_flow: one row per participant, with their matches and their flow-through
-- (doorstroom). A referral counts as a flow-through start once its status is past
-- 'referred' (started, ongoing_3m or stopped); its date is referred_on.
with

flow_starts as (
    select
        referrals.participant_id,
        referrals.kind,
        referrals.referred_on as started_on,
        organisations.anchor_since is not null
        and organisations.anchor_since <= referrals.referred_on as at_anchor_place
    from referrals
    left join organisations on organisations.organisation_id = referrals.organisation_id
    where coalesce(referrals.status, 'referred') <> 'referred'
),

flow as (
    select
        participant_id,
        count(*) as n_flow_starts,
        count(*) filter (where at_anchor_place) as n_flow_starts_at_anchor,
        min(started_on) as first_flow_on,
        min(started_on) filter (where kind = 'leisure') as first_leisure_on,
        min(started_on) filter (where kind = 'volunteering') as first_volunteering_on,
        min(started_on) filter (where kind = 'course') as first_course_on,
        min(started_on) filter (where kind = 'work') as first_work_on,
        min(started_on) filter (where kind = 'study') as first_study_on
    from flow_starts
    group by participant_id
),

referred as (
    select
        participant_id,
        count(*) as n_referrals
    from referrals
    group by participant_id
),

duos as (
    select
        participant_id,
        count(*) as n_matches,
        min(matched_on) as first_matched_on,
        max(ended_on) as last_ended_on,
        bool_or(ended_on is null) as has_open_match,
        sum(hours_total) as hours_total,
        bool_or(reached_40h) as reached_40h
    from match_facts
    group by participant_id
),

final as (
    select
        participants.participant_id,
        participants.registered_on,
        participants.intake_on,
        participants.birth_year,
        participants.gender,
        participants.country_of_birth,
        participants.municipality as municipality_nis,
        participants.dutch_level,
        participants.in_integration_trajectory,
        coalesce(duos.n_matches, 0) as n_matches,
        duos.first_matched_on,
        duos.last_ended_on,
        coalesce(duos.has_open_match, false) as has_open_match,
        coalesce(duos.hours_total, 0) as hours_total,
        coalesce(duos.reached_40h, false) as reached_40h,
        coalesce(referred.n_referrals, 0) as n_referrals,
        coalesce(flow.n_flow_starts, 0) as n_flow_starts,
        coalesce(flow.n_flow_starts_at_anchor, 0) as n_flow_starts_at_anchor,
        flow.first_flow_on,
        flow.first_leisure_on,
        flow.first_volunteering_on,
        flow.first_course_on,
        flow.first_work_on,
        flow.first_study_on
    from participants
    left join duos on duos.participant_id = participants.participant_id
    left join referred on referred.participant_id = participants.participant_id
    left join flow on flow.participant_id = participants.participant_id
)

select * from final
