-- How each staged row meets the table: new key, changed content or unchanged.
select
    count(*) filter (where t._row_key is null) as inserted,
    count(*) filter (where t._row_key is not null and t._row_hash <> s._row_hash) as updated,
    count(*) filter (where t._row_hash = s._row_hash) as unchanged
from staged as s
left join stored_hashes as t on t._row_key = s._row_key
