-- Recurring weekly issues and local-time sending.

-- A reader who never chose a time zone has none: sending at local time uses DEFAULT_TIME_ZONE for them,
-- so changing that setting moves every such reader at once.
alter table subscribers alter column time_zone drop not null;
alter table subscribers alter column time_zone drop default;

-- An issue sent at the readers' local time: each reader gets it at `local_time` on `local_date` in
-- their own zone. Null for an issue sent to everyone at `send_at`.
alter table issues add column local_time text check (local_time ~ '^([01]\d|2[0-3]):[0-5]\d$');
alter table issues add column local_date date;
alter table issues add constraint issues_local check ((local_time is null) = (local_date is null));

-- When this delivery may be sent (its wave); null: as soon as the issue is planned. Batches never
-- span two waves, so a batch's send time is the one of its deliveries.
alter table deliveries add column send_at timestamptz;

-- The recurring weekly issue: at most one. Runs at `weekday` (ISO, 1 = Monday) `time` in `time_zone`;
-- with `local` the issue goes to each reader at `time` in their own zone on that day instead.
create table schedules (
  id int primary key default 1 check (id = 1),
  weekday int not null check (weekday between 1 and 7),
  time text not null check (time ~ '^([01]\d|2[0-3]):[0-5]\d$'),
  time_zone text not null,
  local boolean not null default false,
  engine text check (engine in ('react', 'mjml')),
  -- Which ISO week's summaries a run sends: the week it runs in, or the one before.
  week text not null default 'current' check (week in ('current', 'previous')),
  updated_at timestamptz not null default now()
);

-- What each run of the schedule did, one row per ISO week: the issue it created or found, or why it
-- sent nothing. The primary key makes a second run for the same week (two workers, a retried job, a
-- re-asserted scheduler) a no-op.
create table schedule_runs (
  week text primary key check (week ~ '^\d{4}-W\d{2}$'),
  issue_id int references issues (id) on delete set null,
  outcome text not null,
  ran_at timestamptz not null default now()
);
