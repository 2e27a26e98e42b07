-- Every row of one file that is not an exact duplicate, typed and pseudonymised, with the
-- sentences of the checks it failed before and after the set checks (null when none).
create or replace temp table staged_all (
    {columns},
    _source_row integer not null,
    _occurrence integer not null,
    _before varchar,
    _after varchar
)
