-- trajectory_funnel: one row per participant who registered in the period, with how far they
-- got by the as-of date; each step requires the one before, so the counts nest:
-- registered -> intake -> matched -> a duo that reached 40 hours -> that duo completed.
with

registered as (
    select
        participant_id,
        intake_on is not null as had_intake
    from asof_participants
    where registered_on between getvariable('period_start') and getvariable('period_end')
),

duo_steps as (
    select
        asof_match_facts.participant_id,
        true as matched,
        bool_or(asof_match_facts.reached_40h_on is not null) as reached_40h,
        bool_or(
            asof_match_facts.reached_40h_on is not null
            and asof_match_facts.end_reason = 'completed'
        ) as completed_40h
    from asof_match_facts
    group by asof_match_facts.participant_id
),

final as (
    select
        registered.participant_id,
        registered.had_intake,
        registered.had_intake and coalesce(duo_steps.matched, false) as matched,
        registered.had_intake and coalesce(duo_steps.reached_40h, false) as reached_40h,
        registered.had_intake and coalesce(duo_steps.completed_40h, false) as completed_40h
    from registered
    left join duo_steps on duo_steps.participant_id = registered.participant_id
)

select * from final
