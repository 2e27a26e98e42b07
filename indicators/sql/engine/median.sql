-- median: the median of the units' values in each cell (the mean of the middle two when
-- their number is even), over the units with a value.
with cells as (
{cells}
)

select
    {cell} as cell,
    median(value::double) as value,
    count(value)::double as n
from cells
group by grouping sets ({sets})
