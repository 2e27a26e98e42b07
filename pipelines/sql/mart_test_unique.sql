-- A mart's unique test: the values of the key that are missing or occur more than once.
with

counted as (
    select
        {column} as key_value,
        count(*) as n_rows
    from {model}
    group by {column}
),

final as (
    select *
    from counted
    where key_value is null or n_rows > 1
)

select * from final
