-- How each staged row meets the table: new key, changed content or unchanged. A staged row
-- whose key is not stored is new; the table holds each key once.
select
    (select count(*) from staged) - count(*) as inserted,
    count(*) filter (where t._row_hash <> s._row_hash) as updated,
    count(*) filter (where t._row_hash = s._row_hash) as unchanged
from staged_hashes as s
inner join stored_hashes as t on t._row_key = s._row_key
