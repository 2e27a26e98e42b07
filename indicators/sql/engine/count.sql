-- count: the number of distinct units in each cell. Every kind reads `cells` (cells.sql) and
-- groups by grouping sets: {sets} is the overall row plus, with a breakdown, one per `cell`
-- ({cell} is then the column, otherwise null); {sets+x} is the same, each set also by x.
with cells as (
{cells}
)

select
    {cell} as cell,
    count(distinct unit_id)::double as value,
    count(distinct unit_id)::double as n
from cells
group by grouping sets ({sets})
