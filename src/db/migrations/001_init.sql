-- The whole data model of DESIGN.md. Later migrations add; this one never changes once released.

create table tags (
  id int generated always as identity primary key,
  name text not null,
  slug text not null unique
);

create table summaries (
  id int generated always as identity primary key,
  -- Stable identity of the source file (week folder + file name, or front-matter id): re-import updates.
  source_key text not null unique,
  content_hash text not null,
  week text not null check (week ~ '^\d{4}-W\d{2}$'),
  title text not null,
  signal text not null,
  case_points jsonb not null default '[]',
  take text not null,
  time_saved_minutes int check (time_saved_minutes >= 0),
  source_url text,
  published_on date,
  source_file text,
  imported_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index summaries_week on summaries (week);

create table summary_tags (
  summary_id int not null references summaries (id) on delete cascade,
  tag_id int not null references tags (id) on delete cascade,
  position int not null,
  primary key (summary_id, tag_id),
  unique (summary_id, position)
);
create index summary_tags_tag on summary_tags (tag_id);

create table subscribers (
  id int generated always as identity primary key,
  email text not null unique,
  name text,
  status text not null default 'active'
    check (status in ('pending', 'active', 'unsubscribed', 'bounced', 'complained')),
  time_zone text not null default 'UTC',
  source text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  confirmed_at timestamptz,
  unsubscribed_at timestamptz
);
create index subscribers_status on subscribers (status);

create table subscriptions (
  subscriber_id int not null references subscribers (id) on delete cascade,
  tag_id int not null references tags (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (subscriber_id, tag_id)
);
create index subscriptions_tag on subscriptions (tag_id);

create table issues (
  id int generated always as identity primary key,
  week text not null check (week ~ '^\d{4}-W\d{2}$'),
  subject text,
  engine text not null check (engine in ('react', 'mjml')),
  status text not null default 'draft'
    check (status in ('draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled', 'failed')),
  status_reason text,
  send_at timestamptz,
  created_at timestamptz not null default now(),
  planned_at timestamptz,
  finished_at timestamptz,
  recipients int not null default 0,
  submitted int not null default 0,
  failed int not null default 0,
  skipped int not null default 0,
  delivered int not null default 0,
  bounced int not null default 0,
  complained int not null default 0,
  opened int not null default 0,
  clicked int not null default 0
);
create index issues_status on issues (status);

-- The issue's summaries, frozen when it is planned: later imports do not change a sending issue.
create table issue_summaries (
  issue_id int not null references issues (id) on delete cascade,
  summary_id int not null references summaries (id) on delete restrict,
  primary key (issue_id, summary_id)
);

-- The delivery ledger: one row per (issue, subscriber), the source of truth for what was sent.
create table deliveries (
  issue_id int not null references issues (id) on delete cascade,
  subscriber_id int not null references subscribers (id) on delete cascade,
  batch int,
  -- The reader's tags that have content in this issue, frozen at planning so every retry of a batch
  -- renders byte-identical emails even if the reader changes preferences meanwhile.
  sections text[] not null default '{}',
  status text not null default 'pending' check (status in ('pending', 'submitted', 'failed', 'skipped')),
  -- A lease, not a status: a crashed sender's batch returns to the pool when the lease expires.
  lease_token text,
  lease_until timestamptz,
  attempts int not null default 0,
  provider_id text,
  error text,
  -- What the provider later reported: delivered, delivery_delayed, bounced, complained, failed, suppressed.
  outcome text,
  opened_at timestamptz,
  clicked_at timestamptz,
  created_at timestamptz not null default now(),
  submitted_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (issue_id, subscriber_id)
);
create index deliveries_pending on deliveries (issue_id, batch) where status = 'pending';
create index deliveries_provider_id on deliveries (provider_id) where provider_id is not null;

create table events (
  id text primary key,
  type text not null,
  email text,
  provider_id text,
  payload jsonb not null,
  received_at timestamptz not null default now()
);

create table suppressions (
  email text primary key,
  reason text not null check (reason in ('bounced', 'complained', 'unsubscribed', 'manual')),
  detail text,
  created_at timestamptz not null default now()
);

-- One row: this database's identity. Queue names carry it, so two databases sharing a Redis (a reset
-- .data folder, a test run, a second deployment) never see each other's jobs.
create table installation (
  id text primary key default substr(md5(random()::text || clock_timestamp()::text), 1, 10),
  created_at timestamptz not null default now(),
  singleton boolean not null default true unique check (singleton)
);
insert into installation default values;
