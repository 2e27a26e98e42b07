-- Insert the staged rows whose key the table does not hold (new rows and changed rows).
-- {row_key} is the stored row key as read for alias t (load.row_key_read_sql), {stored_key}
-- the row key a staged row stores (null where it is its key column, load.row_key_stored_sql).
insert into {table} by name
select s.* replace ({stored_key} as _row_key)
from staged as s
where not exists (select 1 from {table} as t where {row_key} = s._row_key)
