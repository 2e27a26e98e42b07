-- The staged rows that passed every check, with their content hash, row key and lineage, ready
-- to be upserted. {row_hash} and {row_key} are expressions made from the contract.
create or replace temp table staged as
select *, {row_key} as _row_key, ? as _batch_id, ? as _source
from (
    select s.* exclude (_before, _after), {row_hash} as _row_hash
    from staged_all as s
    where not exists (select 1 from staged_bad as b where b._source_row = s._source_row)
)
