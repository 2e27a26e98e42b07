-- A mart's accounting test: both sides of the identity, returned only when they differ
-- (beyond the rounding of summing doubles in another order).
with

sides as (
    select
        coalesce(({left}), 0) as left_side,
        coalesce(({right}), 0) as right_side
),

final as (
    select *
    from sides
    where abs(left_side - right_side) > 1e-9 * greatest(1, abs(left_side), abs(right_side))
)

select * from final
