-- The content hash of every stored row whose key is staged, computed from the row (a snapshot
-- does not store it). {table} is a contract table name and {row_hash} its hash expression.
create or replace temp table stored_hashes as
select _row_key, {row_hash} as _row_hash
from {table}
where _row_key in (select _row_key from staged)
