// What fastify-plugin does, without depending on it (it is only a transitive dependency here): a
// plugin marked this way is not encapsulated, so its hooks, decorators and handlers apply to the
// instance that registers it, which is what an app-wide baseline needs.
import type { FastifyPluginAsync, FastifyPluginOptions } from 'fastify';

export function unencapsulated<Options extends FastifyPluginOptions>(name: string, plugin: FastifyPluginAsync<Options>): FastifyPluginAsync<Options> {
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: name });
  return plugin;
}
