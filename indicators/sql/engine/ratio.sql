-- ratio: the sums of numerators and denominators in each cell and their quotient (none when
-- the denominator is 0); n is the denominator.
with cells as (
{cells}
),

sums as (
    select
        {cell} as cell,
        coalesce(sum(numerator), 0)::double as numerator,
        coalesce(sum(denominator), 0)::double as denominator
    from cells
    group by grouping sets ({sets})
)

select
    cell,
    case when denominator <> 0 then numerator / denominator end as value,
    numerator,
    denominator,
    denominator as n
from sums
