-- One live issue per week and edition (issue 16): a second issue for a week is refused by the database,
-- whichever face asks. "Live" is every status but cancelled and failed, so a cancelled draft never
-- blocks a new one. Sending a week again on purpose is a new edition, recorded as a correction.
alter table issues add column edition int not null default 1 check (edition >= 1);
alter table issues add column again_of int references issues (id) on delete restrict;
alter table issues add column again_reason text check (again_reason is null or length(again_reason) between 1 and 500);
alter table issues add constraint issues_again_has_reason check ((again_of is null) = (again_reason is null) and (again_of is null) = (edition = 1));

-- Weeks that already have several live issues (made before this rule) keep them all: the later ones
-- become editions 2, 3 … of the first, so the index below can be built and nothing sent is changed.
with numbered as (
  select id, week, row_number() over (partition by week order by id) as n,
         first_value(id) over (partition by week order by id) as first_id
  from issues where status not in ('cancelled', 'failed'))
update issues i set edition = n.n, again_of = n.first_id,
       again_reason = 'a second issue for this week, made before tagcast refused one'
from numbered n where n.id = i.id and n.n > 1;

create unique index issues_one_live_per_week on issues (week, edition) where status not in ('cancelled', 'failed');
