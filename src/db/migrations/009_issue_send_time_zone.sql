-- The time zone an editor scheduled an issue in (issue 20): the admin page shows the time as they chose
-- it, with UTC beside it. Null for an issue scheduled by an instant with an offset, sent now, or at
-- each reader's local time.
alter table issues add column send_time_zone text check (send_time_zone is null or length(send_time_zone) between 1 and 64);
