-- Fast public pages (issue 19).

-- The public pages' generation: one number that moves, in the same transaction, with every change a
-- public page (the archive, an issue, a tag's page, the two Atom feeds) shows: an issue sent (or a sent
-- issue's week, time or correction changed, or the issue removed), a summary of a sent issue edited, hidden, shown again or retagged, a tag
-- renamed or merged away, the publication's settings. Every `serve` process keeps the pages it rendered
-- under the number it read, and reads the number again for each request (one query shared by the
-- requests waiting at that moment), so a change made anywhere is seen by every process at once
-- (src/web/page-cache.ts). Triggers bump it, so no code path (CLI, admin, API, a worker finishing an
-- issue, an import) can forget to. Not deferred to commit: a deferred trigger's pending events would
-- refuse a later migration's DDL on these tables in the transaction that changed their rows. Two
-- transactions that change what pages show wait for each other on this row (changes made by hand, rare).
create table page_generation (
  id int primary key default 1 check (id = 1),
  n bigint not null default 0,
  changed_at timestamptz not null default now()
);
insert into page_generation default values;

create function page_generation_bump() returns trigger language plpgsql as $$
begin
  update page_generation set n = n + 1, changed_at = now() where id = 1;
  return null;
end
$$;

-- A row that joins a summary or an issue: bumps only when a sent issue shows it (TG_ARGV[0] names what
-- the row carries: 'summary' for summaries.id, 'summary_id' or 'issue_id' for the join tables' columns).
create function page_generation_bump_if_sent() returns trigger language plpgsql as $$
declare
  r record;
  shown boolean;
begin
  if TG_OP = 'DELETE' then r := old; else r := new; end if;
  if TG_ARGV[0] = 'issue_id' then
    shown := exists (select 1 from issues i where i.id = r.issue_id and i.status = 'sent');
  elsif TG_ARGV[0] = 'summary_id' then
    shown := exists (select 1 from issue_summaries x join issues i on i.id = x.issue_id and i.status = 'sent' where x.summary_id = r.summary_id);
  else
    shown := exists (select 1 from issue_summaries x join issues i on i.id = x.issue_id and i.status = 'sent' where x.summary_id = r.id);
  end if;
  if shown then
    update page_generation set n = n + 1, changed_at = now() where id = 1;
  end if;
  return null;
end
$$;

-- Issues: sent, or a sent one's shown columns changed, or removed. The counters a sending or sent issue
-- keeps (submitted, delivered, opened …), its subject and its note change no page (the archive names an
-- issue by its week); a page that shows another column must add it here.
create trigger issues_page_generation_insert after insert on issues
  for each row when (new.status = 'sent') execute function page_generation_bump();
create trigger issues_page_generation_update after update on issues
  for each row when ((old.status = 'sent' or new.status = 'sent')
    and (old.status, old.week, old.finished_at, old.again_of, old.again_reason)
        is distinct from (new.status, new.week, new.finished_at, new.again_of, new.again_reason))
  execute function page_generation_bump();
create trigger issues_page_generation_delete after delete on issues
  for each row when (old.status = 'sent') execute function page_generation_bump();

create trigger issue_summaries_page_generation after insert or delete on issue_summaries
  for each row execute function page_generation_bump_if_sent('issue_id');
create trigger summaries_page_generation after update on summaries
  for each row when (old.* is distinct from new.*) execute function page_generation_bump_if_sent('summary');
create trigger summary_tags_page_generation after insert or delete on summary_tags
  for each row execute function page_generation_bump_if_sent('summary_id');

-- Tags: every tag has a page (/tags/:slug, even with no issue yet) that shows its name.
create trigger tags_page_generation_update after update on tags
  for each row when ((old.name, old.slug) is distinct from (new.name, new.slug)) execute function page_generation_bump();
create trigger tags_page_generation_delete after delete on tags
  for each row execute function page_generation_bump();

-- The publication's name and tagline are on every page and feed.
create trigger publication_settings_page_generation after insert or update on publication_settings
  for each row execute function page_generation_bump();

-- The one-click unsubscribe's count per issue, append-only: each unsubscribe through an issue's link
-- adds a row (no reader is kept with it) instead of adding one to a counter on the issue's row, which
-- every concurrent unsubscribe of that issue queued on. Counted when read (src/db/readers.ts).
create table issue_unsubscribes (
  issue_id int not null references issues (id) on delete cascade,
  at timestamptz not null default now()
);
create index issue_unsubscribes_issue on issue_unsubscribes (issue_id);
insert into issue_unsubscribes (issue_id, at)
  select i.id, coalesce(i.finished_at, i.created_at) from issues i cross join lateral generate_series(1, i.unsubscribed) g;
alter table issues drop column unsubscribed;
