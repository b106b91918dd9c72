// The tags pages (src/web/admin/tags.tsx): every tag with its numbers; one tag with its forms (rename,
// describe, hide, merge); the page that confirms a merge before it happens.
import type { MergePlan, TagView } from '../../../editor/tags.ts';
import { TAG_DESCRIPTION_MAX } from '../../../editor/tags.ts';
import { CsrfField, Notice } from '../layout.tsx';
import { AdminPage, DoneNotice, Fact, StatusBadge, TableWrap } from './layout.tsx';

const href = (slug: string) => `/admin/tags/${encodeURIComponent(slug)}`;
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function Visibility({ t }: { t: TagView }) {
  return <StatusBadge status={t.hidden ? 'hidden' : 'shown'} />;
}

export function TagsPage(p: { csrf: string; tags: TagView[]; weeks: number; since: string; done?: string | undefined }) {
  return (
    <AdminPage title="Tags" section="tags" csrf={p.csrf}>
      <h1>Tags</h1>
      <DoneNotice done={p.done} />
      <p className="lede">
        The subscribe page offers shown tags with a summary in the last {p.weeks} weeks (since {p.since}). Readers keep the tags they follow on their preferences page, hidden or not.
      </p>
      {p.tags.length === 0 ? (
        <p className="muted">No tags yet: they come with the summaries you import.</p>
      ) : (
        <TableWrap label="Every tag">
          <table className="tags-table">
            <caption className="visually-hidden">Every tag</caption>
            <thead>
              <tr>
                <th scope="col">Tag</th>
                <th scope="col" className="num wide">
                  Followers
                </th>
                <th scope="col" className="num wide">
                  Summaries
                </th>
                <th scope="col" className="wide">
                  Last week
                </th>
                <th scope="col">Offered</th>
              </tr>
            </thead>
            <tbody>
              {p.tags.map((t) => (
                <tr key={t.slug}>
                  <td>
                    <a href={href(t.slug)}>{t.name}</a>
                    {/* At 375 px the numbers sit under the name instead of in three narrow columns. */}
                    <span className="hint tag-stats">
                      {count(t.followers, 'follower')} · {count(t.summaries, 'summary', 'summaries')} · {t.lastWeek ? `last ${t.lastWeek}` : 'no content'}
                    </span>
                    {t.description ? <span className="hint">{t.description}</span> : null}
                  </td>
                  <td className="num wide">{t.followers}</td>
                  <td className="num wide">{t.summaries}</td>
                  <td className="wide">{t.lastWeek ?? '—'}</td>
                  <td>
                    <Visibility t={t} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </AdminPage>
  );
}

export function TagPage(p: { csrf: string; tag: TagView; others: { slug: string; name: string }[]; changedText: string | null; done?: string | undefined }) {
  const t = p.tag;
  return (
    <AdminPage title={`Tag ${t.name}`} section="tags" csrf={p.csrf}>
      <p>
        <a href="/admin/tags">← All tags</a>
      </p>
      <h1>{t.name}</h1>
      <DoneNotice done={p.done} />
      <dl className="facts">
        <Fact term="Slug">
          <code>{t.slug}</code>
        </Fact>
        <Fact term="Followers">
          {t.followers} ({t.activeFollowers} active)
        </Fact>
        <Fact term="Summaries">{t.summaries}</Fact>
        <Fact term="Last week with content">{t.lastWeek ?? 'none'}</Fact>
        <Fact term="On the subscribe page">{t.hidden ? 'hidden (followers keep it)' : 'offered when it had content lately'}</Fact>
        {p.changedText ? <Fact term="Last changed">{p.changedText}</Fact> : null}
      </dl>
      <div className="two-col">
        <form method="post" action={`${href(t.slug)}/rename`} className="card">
          <CsrfField token={p.csrf} />
          <h2>Rename</h2>
          <div className="field">
            <label htmlFor="tag-name">
              Name <span className="hint">The slug follows the name. Readers keep the tag; old links and files find it by its old name.</span>
            </label>
            <input type="text" id="tag-name" name="name" required maxLength={60} defaultValue={t.name} autoComplete="off" />
          </div>
          <div className="actions">
            <button type="submit">Rename</button>
          </div>
        </form>
        <form method="post" action={`${href(t.slug)}/describe`} className="card">
          <CsrfField token={p.csrf} />
          <h2>Description</h2>
          <div className="field">
            <label htmlFor="tag-description">
              Shown under the tag on the subscribe page <span className="hint">Plain text, at most {TAG_DESCRIPTION_MAX} characters. Empty: none.</span>
            </label>
            <textarea id="tag-description" name="description" maxLength={TAG_DESCRIPTION_MAX} rows={3} defaultValue={t.description ?? ''} />
          </div>
          <div className="actions">
            <button type="submit">Save description</button>
          </div>
        </form>
        <form method="post" action={`${href(t.slug)}/hide`} className="card">
          <CsrfField token={p.csrf} />
          <input type="hidden" name="hidden" value={t.hidden ? 'off' : 'on'} />
          <h2>{t.hidden ? 'Offer it again' : 'Hide'}</h2>
          <p>
            {t.hidden
              ? 'The subscribe and preferences pages offer it again when it has content.'
              : `The subscribe and preferences pages stop offering it. Its ${count(t.followers, 'follower')} keep it and still get its sections.`}
          </p>
          <div className="actions">
            <button type="submit" className="secondary">
              {t.hidden ? 'Offer the tag' : 'Hide the tag'}
            </button>
          </div>
        </form>
        {p.others.length > 0 ? (
          <form method="get" action={`${href(t.slug)}/merge`} className="card">
            <h2>Merge into another tag</h2>
            <p>Its followers and summaries move to the other tag and this tag disappears. Readers are not mailed. You confirm on the next page.</p>
            <div className="field">
              <label htmlFor="merge-into">Merge into</label>
              <select id="merge-into" name="into" required>
                {p.others.map((o) => (
                  <option key={o.slug} value={o.slug}>
                    {o.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="actions">
              <button type="submit" className="secondary">
                Review the merge
              </button>
            </div>
          </form>
        ) : null}
      </div>
    </AdminPage>
  );
}

export function MergeConfirmPage(p: { csrf: string; plan: MergePlan }) {
  const { from, into } = p.plan;
  return (
    <AdminPage title={`Merge ${from.name} into ${into.name}`} section="tags" csrf={p.csrf}>
      <h1>
        Merge &ldquo;{from.name}&rdquo; into &ldquo;{into.name}&rdquo;?
      </h1>
      <Notice kind="warn">
        <p>This cannot be undone. &ldquo;{from.name}&rdquo; disappears; readers are not mailed about it.</p>
      </Notice>
      <ul>
        <li>
          {count(p.plan.followersMoved, 'follower')} of &ldquo;{from.name}&rdquo; will follow &ldquo;{into.name}&rdquo;
          {p.plan.followersKept > 0 ? `; ${count(p.plan.followersKept, 'reader')} already ${p.plan.followersKept === 1 ? 'follows both and keeps' : 'follow both and keep'} one` : ''}.
        </li>
        <li>
          {count(p.plan.summariesMoved, 'summary', 'summaries')} {p.plan.summariesMoved === 1 ? 'moves' : 'move'} to &ldquo;{into.name}&rdquo;
          {p.plan.summariesKept > 0 ? `; ${count(p.plan.summariesKept, 'summary', 'summaries')} had both tags and ${p.plan.summariesKept === 1 ? 'keeps' : 'keep'} one` : ''}.
        </li>
        <li>Issues already sent are not changed. Old links and files naming &ldquo;{from.name}&rdquo; reach &ldquo;{into.name}&rdquo;.</li>
      </ul>
      <form method="post" action={`${href(from.slug)}/merge`} className="actions">
        <CsrfField token={p.csrf} />
        <input type="hidden" name="into" value={into.slug} />
        <button type="submit" className="danger">
          Merge &ldquo;{from.name}&rdquo; into &ldquo;{into.name}&rdquo;
        </button>
        <a href={href(from.slug)}>Cancel</a>
      </form>
    </AdminPage>
  );
}

