-- distribution: per cell and category the summed weight (1 per unit, or its value), its share
-- of the cell's total weight (units without a category count in the total only) and units.
with cells as (
{cells}
),

totals as (
    select
        {cell} as cell,
        coalesce(sum(weight), 0)::double as denominator
    from cells
    group by grouping sets ({sets})
),

categories as (
    select
        {cell} as cell,
        category,
        coalesce(sum(weight), 0)::double as numerator,
        count(distinct unit_id)::double as n
    from cells
    where category is not null
    group by grouping sets ({sets+category})
)

select
    categories.cell,
    categories.category::varchar as category,
    case when totals.denominator <> 0 then categories.numerator / totals.denominator end
        as value,
    categories.numerator,
    totals.denominator,
    categories.n
from categories
inner join totals on totals.cell is not distinct from categories.cell
