-- The staged rows that passed every check, ready to be hashed, keyed and upserted.
create or replace temp table staged_typed as
select s.* exclude (_before, _after)
from staged_all as s
where not exists (select 1 from staged_bad as b where b._source_row = s._source_row)
