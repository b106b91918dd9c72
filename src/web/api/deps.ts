// What the API routes need: the editor's dependencies and, per request, the editor's operations.
import type { FastifyRequest } from 'fastify';
import type { EditorDeps } from '../../editor/deps.ts';
import { localEditor, type Editor } from '../../editor/index.ts';

/** The editor's dependencies, but for who acts: that is each request's token. */
export type ApiBase = Omit<EditorDeps, 'actor'>;

export interface ApiDeps extends ApiBase {
  /** The editor's operations for a request, acting as its token ("api:<token name>"). */
  editor(req: FastifyRequest): Editor;
}

/** What `ApiDeps.editor` is built from: the operations, recorded as the request's token. */
export function apiEditorOf(base: ApiBase, tokenName: (req: FastifyRequest) => string | undefined): (req: FastifyRequest) => Editor {
  return (req) => localEditor({ ...base, actor: `api:${tokenName(req) ?? '?'}` });
}
