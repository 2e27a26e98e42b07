-- with_dimensions: an indicator's units, the common table `units` that the engine puts in front
-- (the indicator's own SQL), with every breakdown dimension added; what a unit lacks is
-- 'unknown' (a person's attributes), 'not matched' (no duo) or 'none' (no organisation).
select
    units.*,
    coalesce(participant_dims.municipality, 'unknown') as municipality,
    coalesce(participant_dims.gender, 'unknown') as gender,
    coalesce(participant_dims.age_band, 'unknown') as age_band,
    coalesce(participant_dims.region_of_birth, 'unknown') as region_of_birth,
    coalesce(participant_dims.dutch_level, 'unknown') as dutch_level,
    coalesce(match_facts.match_cohort, participant_dims.match_cohort, 'not matched')
        as match_cohort,
    coalesce(units.organisation_id, 'none') as organisation
from units
left join participant_dims on participant_dims.participant_id = units.participant_id
left join match_facts on match_facts.match_id = units.match_id
