import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Alert, time, usePolling, Table } from '../util.js';

interface AuditEvent {
  time: string;
  event: string;
  user?: string;
  domain?: string;
  scheme?: string;
  reason?: string;
  target?: string;
  operator?: string;
  client?: string;
  dialect?: string;
}
interface AuditList {
  enabled: boolean;
  events: AuditEvent[];
}

/** The latest audit events (`vapi_auth.audit.list`), filtered by event and user, read again every 5 s. */
export function AuditPage() {
  const [event, setEvent] = useState('');
  const [user, setUser] = useState('');
  const audit = usePolling(
    () => api<AuditList>('POST', '/vapi-auth/audit?action=list', { filter: { ...(event ? { event } : {}), ...(user ? { user } : {}), limit: 200 } }),
    5000,
    [event, user],
  );
  return (
    <section>
      <form class="inline" onSubmit={(e) => e.preventDefault()}>
        <input aria-label="Event" placeholder="event (login.failure)" value={event} onInput={(e) => setEvent(e.currentTarget.value)} />
        <input aria-label="User" placeholder="user" value={user} onInput={(e) => setUser(e.currentTarget.value)} />
      </form>
      <Alert text={audit.error} />
      {audit.data && !audit.data.enabled ? <p>This server keeps no audit trail.</p> : null}
      <Table headers={['Time', 'Event', 'User', 'Scheme', 'Reason', 'Target', 'Client']}>
          {(audit.data?.events ?? []).map((e) => (
            <tr>
              <td>{time(e.time)}</td>
              <td>{e.event}</td>
              <td>{e.user ? `${e.user}${e.domain ? `@${e.domain}` : ''}` : e.operator ?? '—'}</td>
              <td>{e.scheme ?? '—'}</td>
              <td>{e.reason ?? '—'}</td>
              <td>{e.target ?? '—'}</td>
              <td>{e.client ?? '—'}</td>
            </tr>
          ))}
        </Table>
    </section>
  );
}
