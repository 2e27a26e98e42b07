-- The staged rows that passed every check, with their content hash, row key and lineage, ready
-- to be upserted. {row_hash} and {row_key} are expressions made from the contract; which of
-- a file's identical rows a row is (_occurrence) goes into its key only.
create or replace temp table staged as
select * exclude (_occurrence), {row_key} as _row_key, ? as _batch_id, ? as _source
from (
    select s.* exclude (_before, _after), {row_hash} as _row_hash
    from staged_all as s
    where not exists (select 1 from staged_bad as b where b._source_row = s._source_row)
)
