/** Whether dist/ (npm run build) is newer than every source it was built from. */
export function distIsFresh(root: string): boolean;
/** The folders compiled into dist/. */
export const SOURCES: string[];
