-- cells: one indicator's cached unit list ({units}) as the aggregations read it: with the
-- programme as a dimension, the request's filters applied ({filters}), the breakdown's value
-- as `cell` ({breakdown}) and the weight of a distribution's unit as `weight` ({weight}).
-- The engine fills the braces only with names it knows (the cache table, catalogue
-- dimensions and unit columns); every value is a bound parameter ($programme, $filter_<i>).
select
    units.*,
    {breakdown} as cell,
    {weight} as weight
from (select *, $programme::varchar as programme from {units}) as units
where {filters}
