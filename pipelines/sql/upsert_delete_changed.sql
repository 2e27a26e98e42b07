-- Remove the stored version of every row whose content changed; the insert puts the new one back.
-- {row_key} is the stored row key as read (load.row_key_read_sql).
delete from {table}
where {row_key} in (
    select s._row_key
    from staged_hashes as s
    inner join stored_hashes as t on t._row_key = s._row_key
    where t._row_hash <> s._row_hash
)
