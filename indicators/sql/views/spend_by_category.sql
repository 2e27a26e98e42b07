-- spend_by_category: one row per expense category with the amount booked in the period (the
-- bookings of spend_total, so the categories add up to it) and the number of bookings.
-- Money is not personal data: nothing is hidden.
with

expenses as (
    select
        coalesce(category, 'unknown') as category,
        amount_eur
    from period_bookings
    where direction = 'expense'
),

final as (
    select
        category,
        sum(amount_eur) as amount_eur,
        count(*) as bookings
    from expenses
    group by category
    order by amount_eur desc, category
)

select * from final
