-- sum: the total of the units' values in each cell (0 when there is none), and its units.
with cells as (
{cells}
)

select
    {cell} as cell,
    coalesce(sum(value), 0)::double as value,
    count(distinct unit_id)::double as n
from cells
group by grouping sets ({sets})
