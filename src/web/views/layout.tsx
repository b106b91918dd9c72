// The one layout every server-rendered page shares: reader pages, the archive and the editor pages.
// Pages are React components rendered to static markup (no client React): they work without
// JavaScript, and React escapes every value, so content can never become markup.
import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { assetUrl } from '../assets.ts';
import { siteIdentity, type SiteIdentity } from '../site.ts';

export interface PageProps {
  title: string;
  children: ReactNode;
  /** Atom feeds the page offers (<link rel="alternate">); with the archive on, every page offers the site's. */
  feeds?: { href: string; title: string }[];
  /** Keep the page out of search engines (personal pages: preferences, web versions, confirmations). */
  noindex?: boolean;
  /** Show the archive link in the header (ARCHIVE=on). */
  archive?: boolean;
  /** Editor pages are wider and have their own navigation. */
  wide?: boolean;
  nav?: { href: string; label: string; current?: boolean }[];
  /** Scripts from /assets (never inline: the CSP allows none); each page works without them. */
  scripts?: string[];
  description?: string;
  /** The publication's name and tagline as this page must show them (a page cached with its identity); else the site's current one. */
  identity?: SiteIdentity;
  /** Stylesheets after site.css (URLs on this site: the CSP allows no other). */
  styles?: string[];
}

export function Page({ title, children, feeds, noindex, archive, wide, nav, scripts = [], description, identity, styles = [] }: PageProps) {
  const site = identity ?? siteIdentity();
  const alternates = feeds ?? (archive ? [{ href: '/feed.xml', title: `${site.name}: every issue` }] : []);
  const links = nav ?? [...(archive ? [{ href: '/archive', label: 'Archive' }] : []), { href: '/subscribe', label: 'Subscribe' }];
  return (
    <html lang="en" dir="ltr">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        {noindex ? <meta name="robots" content="noindex, nofollow" /> : null}
        {description ? <meta name="description" content={description} /> : null}
        <meta name="referrer" content="no-referrer" />
        <title>{`${title} · ${site.name}`}</title>
        <link rel="stylesheet" href={assetUrl('site.css')} />
        {styles.map((s) => (
          <link key={s} rel="stylesheet" href={s} />
        ))}
        {/* Named here, or every browser asks for /favicon.ico and logs the 404. */}
        <link rel="icon" type="image/svg+xml" href={assetUrl('favicon.svg')} />
        {alternates.map((f) => (
          <link key={f.href} rel="alternate" type="application/atom+xml" title={f.title} href={f.href} />
        ))}
        {scripts.map((s) => (
          <script key={s} src={assetUrl(s)} defer />
        ))}
      </head>
      <body className={wide ? 'wide' : undefined}>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <a className="brand" href={archive ? '/archive' : '/subscribe'}>
            {site.name}
          </a>
          <nav aria-label="Site">
            <ul>
              {links.map((l) => (
                <li key={l.href}>
                  <a href={l.href} aria-current={l.current ? 'page' : undefined}>
                    {l.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">
          <p>{site.tagline || 'Weekly tag digests.'}</p>
        </footer>
      </body>
    </html>
  );
}

/** A whole HTML document. */
export function renderPage(element: ReactNode): string {
  return `<!doctype html>${renderToStaticMarkup(element)}`;
}

/** A notice box; `role="status"` for good news, `role="alert"` for problems, so screen readers announce it. */
export function Notice({ kind = 'ok', children }: { kind?: 'ok' | 'warn' | 'bad'; children: ReactNode }) {
  return (
    <div className={kind === 'ok' ? 'notice' : `notice ${kind}`} role={kind === 'bad' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** Problems with a submitted form, each linked to its field. */
export function FormErrors({ errors }: { errors: { field?: string; message: string }[] }) {
  if (errors.length === 0) return null;
  return (
    <div className="notice bad" role="alert" aria-labelledby="form-errors-title">
      <p id="form-errors-title">
        <strong>{errors.length === 1 ? 'One thing to fix:' : `${errors.length} things to fix:`}</strong>
      </p>
      <ul>
        {errors.map((e, n) => (
          <li key={n}>{e.field ? <a href={`#${e.field}`}>{e.message}</a> : e.message}</li>
        ))}
      </ul>
    </div>
  );
}

/** The hidden CSRF field every state-changing form carries. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}
