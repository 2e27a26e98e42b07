-- Rows whose key appears more than once among the staged rows; rows missing a key part are
-- not compared (as GX's ignore_row_if any_value_is_missing). Placeholders are contract names.
select _source_row
from {staged}
where {present}
qualify count(*) over (partition by {key}) > 1
