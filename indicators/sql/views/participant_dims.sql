-- participant_dims: one row per participant with the attributes used for breakdowns and
-- filters (the engine joins it to every indicator's units).
with

first_match as (
    select
        participant_id,
        min(matched_on) as first_matched_on
    from asof_matches
    group by participant_id
),

final as (
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
    left join country_regions on country_regions.country_of_birth = participants.country_of_birth
)

select * from final
