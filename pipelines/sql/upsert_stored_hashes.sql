-- The content hash of every stored row whose key is staged, computed from the row (a snapshot
-- does not store it). {table} is a contract table name, {row_hash} its hash expression and
-- {row_key} its stored row key as read (load.row_key_read_sql).
create or replace temp table stored_hashes as
select {row_key} as _row_key, {row_hash} as _row_hash
from {table}
where {row_key} in (select _row_key from staged)
