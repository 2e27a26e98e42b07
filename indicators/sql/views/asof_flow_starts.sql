-- asof_flow_starts: one row per flow-through start known on the as-of date: a referral whose
-- status is past 'referred'; its date is referred_on, and at_anchor_place says whether its
-- organisation was an anchor place that day.
select
    asof_referrals.participant_id,
    asof_referrals.kind,
    asof_referrals.referred_on as started_on,
    asof_referrals.organisation_id,
    coalesce(organisations.anchor_since <= asof_referrals.referred_on, false) as at_anchor_place
from asof_referrals
left join organisations on organisations.organisation_id = asof_referrals.organisation_id
where coalesce(asof_referrals.status, 'referred') <> 'referred'
