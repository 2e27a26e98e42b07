-- Remove the stored version of every row whose content changed; the insert puts the new one back.
delete from {table}
where row_key in (
    select s.row_key
    from staged as s
    inner join {table} as t on t.row_key = s.row_key
    where t.row_hash <> s.row_hash
)
