-- The staged rows that passed every check, with their row key and lineage, ready to be
-- upserted. {row_key} is an expression made from the contract; which of a file's identical
-- rows a row is (_occurrence) goes into its key only. The content hash is not computed here:
-- upsert_staged_hashes computes it for the few rows whose key is stored already.
create or replace temp table staged as
select
    s.* exclude (_before, _after, _occurrence),
    {row_key} as _row_key,
    ? as _batch_id,
    ? as _source
from staged_all as s
where not exists (select 1 from staged_bad as b where b._source_row = s._source_row)
