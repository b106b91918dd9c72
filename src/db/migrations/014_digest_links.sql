-- What a reader can do from a digest itself (issue 18): choose brief or full digests, and the welcome
-- and unsubscribe reasons that go with them. Unfollowing one tag needs no schema: it deletes one
-- subscriptions row.

-- The reader's choice of digest: 'brief' (each title with its first Signal sentence) or 'full'; null
-- follows the editor's default.
alter table subscribers add column density text check (density in ('brief', 'full'));

-- Frozen at planning, like `sections`: every retry of a batch renders byte-identical emails even if the
-- reader switches meanwhile. Rows planned before this column existed were full digests.
alter table deliveries add column density text not null default 'full' check (density in ('brief', 'full'));

-- One welcome per reader, ever: written in the confirming transaction, and the database refuses a
-- second (a double click, a second confirmation after leaving and coming back).
alter table notices drop constraint if exists notices_kind_check;
alter table notices add constraint notices_kind_check check (kind in ('confirm', 'subscribed', 'export', 'delete', 'preferences', 'welcome'));
create unique index notices_one_welcome on notices (subscriber_id) where kind = 'welcome';

-- Why readers leave, as counts only: no reader, issue or time is kept with a reason, so the editor
-- sees how many chose each one and never who.
create table unsubscribe_reasons (
  reason text primary key check (reason in ('too-many', 'not-relevant', 'never-signed-up', 'other')),
  count int not null default 0 check (count >= 0)
);
