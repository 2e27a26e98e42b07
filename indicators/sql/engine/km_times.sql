-- km_times: the event times of a time-to-event unit list ({units}) for a Kaplan-Meier
-- curve: per time the events and the units that leave the risk set (events and censored).
select
    duration::double as time,
    sum(event)::bigint as events,
    count(*)::bigint as removed
from {units}
where duration is not null and event is not null
group by duration
order by duration
