import AjvCompiler from '@fastify/ajv-compiler';

type BuildValidator = ReturnType<typeof AjvCompiler>;
type CompileRoute = ReturnType<BuildValidator>;
type RouteValidator = ReturnType<CompileRoute> & { errors?: unknown };

/**
 * Fastify compiles every route's request schemas with Ajv before it listens: with a few hundred
 * routes (API, admin, cashier, sandbox) that is most of a second of a warm start. This factory
 * gives each route a validator that compiles on its first request instead, with the same Ajv
 * options, and compiles whatever is still pending in small slices once the server is idle, so the
 * first requests rarely pay for it either. Validation itself is unchanged.
 */
export function lazyValidators(): { buildValidator: BuildValidator; warmUp(): void } {
  const build = AjvCompiler();
  const pending = new Set<() => void>();

  const buildValidator = ((externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    return (routeSchema) => {
      let validate: RouteValidator | undefined;
      const ensure = (): RouteValidator => {
        if (!validate) {
          validate = compile(routeSchema) as RouteValidator;
          pending.delete(ensure);
        }
        return validate;
      };
      pending.add(ensure);
      const lazy = ((data: unknown) => {
        const compiled = ensure();
        const result = compiled(data);
        lazy.errors = compiled.errors; // Fastify reads the errors from the function it was given
        return result;
      }) as RouteValidator;
      return lazy;
    };
  }) as BuildValidator;

  const warmUp = () => {
    const slice = () => {
      let budget = 8;
      for (const ensure of pending) {
        ensure();
        if (--budget === 0) break;
      }
      if (pending.size) setTimeout(slice, 5).unref();
    };
    setTimeout(slice, 1000).unref();
  };

  return { buildValidator, warmUp };
}
