-- flow_cohort: one row per participant of a duo in the period's flow-through cohort (flows:
-- the duo ended in the period and its flow-through window has closed by the as-of date), as
-- a unit of the flow-through rates, with their first such duo and whether they started
-- leisure or volunteering between one of those duos' start and its window's end.
with

final as (
    select
        participant_id as unit_id,
        participant_id,
        min(match_id) as match_id,
        null::varchar as organisation_id,
        bool_or(kind = 'leisure') as started_leisure,
        bool_or(kind = 'volunteering') as started_volunteering
    from flows
    group by participant_id
)

select * from final
