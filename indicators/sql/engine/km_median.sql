-- km_median: the Kaplan-Meier median of each cell, the first time at which the share of its
-- units without the event is at most one half (none if it never is); n counts all its units.
-- The survival is multiplied step by step in event-time order, in a recursive CTE, exactly as
-- a loop would (no logarithms), so that an exact half stays a half; a cell's recursion stops
-- at its median.
with recursive cells as (
{cells}
),

counts as (
    select
        {cell} as cell,
        count(*)::double as n
    from cells
    group by grouping sets ({sets})
),

times as (
    select
        {cell} as cell,
        duration as t,
        sum(event) as deaths,
        count(*) as removed
    from cells
    where duration is not null and event is not null
    group by grouping sets ({sets+duration})
),

steps as materialized (
    select
        cell,
        t,
        deaths,
        at_risk,
        row_number() over (partition by cell order by t) as step
    from (
        select
            cell,
            t,
            deaths,
            sum(removed) over (partition by cell order by t desc) as at_risk
        from times
    )
    where deaths <> 0
),

survival as (
    select
        cell,
        step,
        t,
        1::double * (1::double - deaths::double / at_risk::double) as s
    from steps
    where step = 1
    union all
    select
        steps.cell,
        steps.step,
        steps.t,
        survival.s * (1::double - steps.deaths::double / steps.at_risk::double) as s
    from survival
    inner join steps
        on steps.cell is not distinct from survival.cell and steps.step = survival.step + 1
    where survival.s > 0.5::double
),

medians as (
    select
        cell,
        min(t)::double as value
    from survival
    where s <= 0.5::double
    group by cell
)

select
    counts.cell,
    medians.value,
    counts.n
from counts
left join medians on medians.cell is not distinct from counts.cell
