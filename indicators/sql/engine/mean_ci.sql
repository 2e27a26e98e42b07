-- mean_ci: the mean of the units' values in each cell with what its 95% confidence interval
-- needs (their number and sample standard deviation; the t quantile is taken in Python).
with cells as (
{cells}
)

select
    {cell} as cell,
    avg(value::double) as value,
    count(value)::double as n,
    stddev_samp(value::double) as sd
from cells
group by grouping sets ({sets})
