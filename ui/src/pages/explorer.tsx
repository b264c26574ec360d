import { useEffect, useRef, useState } from 'preact/hooks';
import { CSRF_HEADER, csrfToken } from '../api.js';
import { Alert, messageOf } from '../util.js';

/** Requests to the console's mount carry its CSRF token and its cookie; the session id stays out of the page. */
const CONSOLE_SERVER = { url: '/ui/api', description: "This console's session" };
const API_SERVER = { url: '/api', description: 'The /api dialect: give credentials under Authorize' };

/**
 * The OpenAPI document of this server (`/api/openapi.json`, plugins included) in Swagger UI. "Try
 * it out" goes through the console's own mount of the `/api` dialect by default, so that it runs
 * with the console's session; the `/api` server takes credentials given under Authorize instead.
 */
export function ExplorerPage() {
  const node = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let stopped = false;
    void (async () => {
      try {
        const [{ default: SwaggerUI }, spec] = await Promise.all([
          import('swagger-ui-dist/swagger-ui-es-bundle.js'),
          fetch('/api/openapi.json').then((response) => response.json() as Promise<Record<string, unknown>>),
          import('swagger-ui-dist/swagger-ui.css'),
        ]);
        const token = await csrfToken();
        if (stopped || !node.current) return;
        SwaggerUI({
          spec: { ...spec, servers: [CONSOLE_SERVER, API_SERVER] },
          domNode: node.current,
          validatorUrl: null,
          requestInterceptor: (request) => {
            if (new URL(request.url, location.href).pathname.startsWith(`${CONSOLE_SERVER.url}/`)) {
              request.headers[CSRF_HEADER] = token;
              request.credentials = 'same-origin';
            }
            return request;
          },
        });
      } catch (failure) {
        setError(messageOf(failure));
      }
    })();
    return () => {
      stopped = true;
    };
  }, []);
  return (
    <>
      <Alert text={error} />
      <div ref={node} class="explorer" />
    </>
  );
}
