-- cost_units: the units of the cost-per-duo ratios: one row per expense booking in the period
-- (numerator: its amount in EUR, denominator 0) and one per duo (numerator 0, denominator 1)
-- with the days it started and reached the participation norm, by which a ratio picks its duos.
with

expenses as (
    select
        unit_id,
        participant_id,
        match_id,
        organisation_id,
        amount_eur as numerator,
        0 as denominator,
        null::date as matched_on,
        null::date as reached_40h_on
    from period_bookings
    where direction = 'expense'
),

duos as (
    select
        match_id as unit_id,
        null::varchar as participant_id,
        match_id,
        null::varchar as organisation_id,
        0 as numerator,
        1 as denominator,
        matched_on,
        reached_40h_on
    from asof_match_facts
),

final as (
    select * from expenses
    union all
    select * from duos
)

select * from final
