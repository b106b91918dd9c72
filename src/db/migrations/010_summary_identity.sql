-- One summary, one row (issue 17): a summary's identity no longer depends on the path it came by.
-- Before, the key was "week folder/file name" on the command line and the bare file name from the
-- upload form or the API, so one file became two rows. Now (docs/summaries.md):
--   * source_key is the front-matter id ("id:…") when the file has one, else "<week>/<file name
--     without its extension>", the week being the summary's own week (its date, else the week folder
--     or the upload's week, else the week it was imported in);
--   * and no week holds two summaries with the same title (summary_title_key: trimmed, inner white
--     space folded, lower case), whatever their keys.
-- Editors can also hide a summary from digests and the archive; who imported, changed or hid it is kept.

create function summary_title_key(title text) returns text language sql immutable
  as $$ select lower(regexp_replace(btrim(title), '\s+', ' ', 'g')) $$;

alter table summaries add column hidden_at timestamptz;
alter table summaries add column hidden_by text;
alter table summaries add column imported_by text;
alter table summaries add column updated_by text;

-- The new key of every row, worked out from the old one.
create temporary table summary_keys on commit drop as
  select id, case when source_key like 'id:%' then source_key
                  else week || '/' || regexp_replace(regexp_replace(source_key, '^.*/', ''), '\.(md|markdown|txt)$', '', 'i') end as new_key
  from summaries;

-- Rows that are one summary by the new rules are merged, twice: by new key, then by week and title.
-- The row kept is the one changed last (it holds what the editor imported last); the issues the
-- others were frozen into point at it instead (an issue that held both keeps one), then they go.
create temporary table summary_merge (id int primary key, keeper int not null) on commit drop;

insert into summary_merge
  select id, keeper from (
    select k.id, first_value(k.id) over (partition by k.new_key order by s.updated_at desc, s.id desc) as keeper
    from summary_keys k join summaries s on s.id = k.id) m
  where id <> keeper;
insert into issue_summaries (issue_id, summary_id)
  select x.issue_id, m.keeper from issue_summaries x join summary_merge m on m.id = x.summary_id on conflict do nothing;
delete from issue_summaries x using summary_merge m where x.summary_id = m.id;
delete from summaries s using summary_merge m where s.id = m.id;
delete from summary_merge;

insert into summary_merge
  select id, keeper from (
    select id, first_value(id) over (partition by week, summary_title_key(title) order by updated_at desc, id desc) as keeper
    from summaries) m
  where id <> keeper;
insert into issue_summaries (issue_id, summary_id)
  select x.issue_id, m.keeper from issue_summaries x join summary_merge m on m.id = x.summary_id on conflict do nothing;
delete from issue_summaries x using summary_merge m where x.summary_id = m.id;
delete from summaries s using summary_merge m where s.id = m.id;

update summaries s set source_key = k.new_key from summary_keys k where k.id = s.id and s.source_key <> k.new_key;

create unique index summaries_one_title_per_week on summaries (week, summary_title_key(title));
