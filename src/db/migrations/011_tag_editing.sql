-- Tags managed by the editor (issue 17): a description shown on the subscribe page, hidden tags (not
-- offered to new readers; their followers keep them), and who changed a tag last and when.
alter table tags add column description text check (description is null or length(description) between 1 and 280);
alter table tags add column hidden_at timestamptz;
alter table tags add column changed_by text;
alter table tags add column changed_at timestamptz;

-- Slugs a tag had before a rename, or of a tag merged into it: an import of a file that still names the
-- old tag, or an old link, reaches the tag it became instead of bringing the old one back. A slug in use
-- by a live tag is never an alias (a rename that takes it removes the alias in the same transaction).
create table tag_aliases (
  slug text primary key,
  tag_id int not null references tags (id) on delete cascade,
  created_at timestamptz not null default now()
);
create index tag_aliases_tag on tag_aliases (tag_id);
