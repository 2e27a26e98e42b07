-- buddies_trained_share: one row per buddy whose first match started in the period;
-- numerator 1 when the buddy had the basic training on or before that first match.
with

first_match as (
    select
        buddy_id,
        min(matched_on) as matched_on
    from asof_matches
    group by buddy_id
),

final as (
    select
        first_match.buddy_id as unit_id,
        null::varchar as participant_id,
        null::varchar as match_id,
        null::varchar as organisation_id,
        case when buddies.trained_on <= first_match.matched_on then 1 else 0 end as numerator,
        1 as denominator
    from first_match
    inner join buddies on buddies.buddy_id = first_match.buddy_id
    where first_match.matched_on between getvariable('period_start') and getvariable('period_end')
)

select * from final
