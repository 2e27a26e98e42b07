-- Rows whose {column} matches no key of the table(s) it references; empty values are not
-- checked (as GX's in-set expectation). Placeholders are contract names, never user input.
select s._source_row
from {staged} as s
where s.{column} is not null
    and {missing}
