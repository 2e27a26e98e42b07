-- Insert the staged rows whose key the table does not hold (new rows and changed rows).
insert into {table} by name
select s.*
from staged as s
where not exists (select 1 from {table} as t where t._row_key = s._row_key)
