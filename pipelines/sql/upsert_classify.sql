-- How each staged row meets the table: new key, changed content or unchanged.
-- {table} is a contract table name, never user input.
select
    count(*) filter (where t.row_key is null) as inserted,
    count(*) filter (where t.row_key is not null and t.row_hash <> s.row_hash) as updated,
    count(*) filter (where t.row_hash = s.row_hash) as unchanged
from staged as s
left join {table} as t on t.row_key = s.row_key
