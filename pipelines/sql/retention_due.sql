-- Retention: the participants whose time in the programme ended before $day. A participant
-- is due when none of their matches is still open (ended_on empty) and every date of theirs
-- lies before $day: registration, intake, the start and end of each match, the contacts of
-- their matches, group activities, referrals and their status, survey answers. A planned end
-- is a plan, not something that happened, and keeps no one.
with

traces as (
    select participant_id, registered_on as traced_on from participants
    union all
    select participant_id, intake_on from participants
    union all
    select participant_id, matched_on from matches
    union all
    -- an open match keeps its participant, whatever the day
    select participant_id, coalesce(ended_on, date '9999-12-31') from matches
    union all
    select matches.participant_id, contacts.contact_on
    from contacts
    inner join matches on matches.match_id = contacts.match_id
    union all
    select participant_id, activity_on from activities
    union all
    select participant_id, referred_on from referrals
    union all
    select participant_id, status_on from referrals
    union all
    -- a buddy's answers carry a buddy pseudonym, which is no participant's id
    select respondent_id, answered_on from surveys
),

final as (
    select participants.participant_id
    from participants
    inner join traces on traces.participant_id = participants.participant_id
    group by participants.participant_id
    having max(traces.traced_on) < $day
)

select participant_id from final order by participant_id
