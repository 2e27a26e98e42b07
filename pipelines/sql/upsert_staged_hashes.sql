-- The content hash of every staged row whose key the table holds (stored_hashes): only these
-- can be updated or unchanged. {row_hash} is the table's hash expression.
create or replace temp table staged_hashes as
select _row_key, {row_hash} as _row_hash
from staged
where _row_key in (select _row_key from stored_hashes)
