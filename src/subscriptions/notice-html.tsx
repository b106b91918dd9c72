// The notices' HTML, rendered with React Email. Imported on the first notice composed (notices.ts), and
// bundled with the part of React Email it uses by `npm run build` (bin/build.js).
import { createElement as h } from 'react';
import { render } from 'react-email';
import ReaderLink, { type ReaderLinkProps } from '../../emails/reader-link.tsx';
import SubscriptionConfirmation, { type SubscriptionConfirmationProps } from '../../emails/subscription-confirmation.tsx';

export { confirmationFootnote, confirmationWords } from '../../emails/subscription-confirmation.tsx';

export const confirmationHtml = (props: SubscriptionConfirmationProps): Promise<string> => render(h(SubscriptionConfirmation, props));
export const readerLinkHtml = (props: ReaderLinkProps): Promise<string> => render(h(ReaderLink, props));
