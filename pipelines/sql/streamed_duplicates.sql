-- Records of a streamed file that repeat an earlier record exactly (all contract columns
-- read): the first is kept, the others are counted as duplicates. Placeholders are names.
create or replace temp table streamed_duplicates as
select r
from (
    select
        rowid as r,
        row_number() over (partition by {columns} order by rowid) as n
    from {streamed}
    where {rows}
)
where n > 1
