-- The publication's identity (issue 17): one row, edited by the editor (admin settings page, the API,
-- `tagcast settings`). A column left null reads as its default (src/db/settings.ts), so a fresh install
-- reads well without a row being written first. The editor's note belongs to one issue.
create table publication_settings (
  id int primary key default 1 check (id = 1),
  name text check (name is null or length(name) between 1 and 100),
  tagline text check (tagline is null or length(tagline) <= 200),
  logo_url text check (logo_url is null or (logo_url like 'https://%' and length(logo_url) <= 2000)),
  accent text check (accent is null or accent ~ '^#[0-9a-f]{6}$'),
  sender_name text check (sender_name is null or length(sender_name) between 1 and 100),
  reply_to text check (reply_to is null or length(reply_to) <= 254),
  footer text check (footer is null or length(footer) <= 1000),
  postal_address text check (postal_address is null or length(postal_address) <= 500),
  updated_at timestamptz not null default now(),
  updated_by text
);

alter table issues add column note text check (note is null or length(note) <= 10000);
alter table issues add column note_updated_at timestamptz;
alter table issues add column note_updated_by text;
