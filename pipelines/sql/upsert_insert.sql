-- Insert the staged rows whose key the table does not hold (new rows and changed rows); the
-- content hash is not stored.
insert into {table} by name
select s.* exclude (_row_hash)
from staged as s
where not exists (select 1 from {table} as t where t._row_key = s._row_key)
