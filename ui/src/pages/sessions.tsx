import { api, segment } from '../api.js';
import { useAccess } from '../access.js';
import { Alert, time, useAction, usePolling, Table } from '../util.js';

interface SessionInfo {
  session: string;
  user: string;
  created_time: string;
  last_accessed_time: string;
  scheme?: string;
  client_address?: string;
  current: boolean;
}

const SCHEME_NAMES: Record<string, string> = {
  'com.vmware.vapi.std.security.user_pass': 'password',
  'com.vmware.vapi.std.security.saml_bearer_token': 'SAML bearer',
  'com.vmware.vapi.std.security.bearer_token': 'SAML bearer',
  'com.vmware.vapi.std.security.saml_hok_token': 'SAML holder-of-key',
  'com.vmware.vapi.std.security.oauth': 'JWT',
};

/** Live sessions, read again every 2 s; "End session" where the user may terminate sessions. */
export function SessionsPage() {
  const access = useAccess();
  const sessions = usePolling(() => api<SessionInfo[]>('GET', '/vapi-auth/sessions'), 2000);
  const action = useAction();
  const mayEnd = access.can('vapi_auth.sessions.delete');
  return (
    <section>
      <Alert text={sessions.error ?? action.error} />
      <Table headers={['User', 'Created', 'Last access', 'Scheme', 'Client address', '']}>
          {(sessions.data ?? []).map((s) => (
            <tr key={s.session} data-session={s.session} class={s.current ? 'current' : undefined}>
              <td>
                {s.user}
                {s.current ? <span class="badge">this session</span> : null}
              </td>
              <td>{time(s.created_time)}</td>
              <td>{time(s.last_accessed_time)}</td>
              <td>{s.scheme ? SCHEME_NAMES[s.scheme] ?? s.scheme : '—'}</td>
              <td>{s.client_address ?? '—'}</td>
              <td>
                {mayEnd && !s.current ? (
                  <button type="button" onClick={() => action.run(() => api('DELETE', `/vapi-auth/sessions/${segment(s.session)}`), sessions.reload)}>
                    End session
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </Table>
    </section>
  );
}
