-- The quarantined rows of one file, built in Python (quarantined_df), in one statement.
insert into quarantine
select
    batch_id,
    table_name,
    source,
    cast(source_row as integer),
    reasons,
    cast(row_values as json),
    cast(quarantined_at as timestamp)
from quarantined_df
