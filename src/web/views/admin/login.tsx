// The editor login page (src/web/admin/index.tsx).
import { CsrfField, FormErrors, Notice, Page } from '../layout.tsx';

export function LoginPage({ csrf, next, error, loggedOut }: { csrf: string; next: string; error?: string | undefined; loggedOut?: boolean }) {
  return (
    <Page title={error ? 'Error: Editor login' : 'Editor login'} noindex nav={[]}>
      <h1>Editor login</h1>
      {loggedOut ? <Notice>You are logged out.</Notice> : null}
      <FormErrors errors={error ? [{ field: 'password', message: error }] : []} />
      <form method="post" action={`/admin/login?next=${encodeURIComponent(next)}`} className="card">
        <CsrfField token={csrf} />
        <div className={error ? 'field invalid' : 'field'}>
          <label htmlFor="password">
            Password <span className="hint">ADMIN_PASSWORD from the server&rsquo;s configuration.</span>
          </label>
          <input type="password" id="password" name="password" required autoComplete="current-password" aria-invalid={error ? true : undefined} />
        </div>
        <div className="actions">
          <button type="submit">Log in</button>
        </div>
      </form>
    </Page>
  );
}
