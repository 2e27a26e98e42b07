-- The staged rows that failed any check: their line, and which set checks (by number) they
-- failed, if any.
create or replace temp table staged_bad as
select
    _source_row,
    list(n order by n) filter (where n is not null) as flags
from (
    select _source_row, cast(null as integer) as n
    from staged_all
    where _before is not null or _after is not null
    union all
    select _source_row, n
    from staged_flags
)
group by _source_row
