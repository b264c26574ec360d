import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useAccess } from '../access.js';
import { Alert, useAction, Table, submitted } from '../util.js';

interface Check {
  object: { type: string; id: string };
  principal?: { name: string; domain: string };
  privilege: string;
}
interface ListResult {
  items: Check[];
  marker: string;
  truncated: boolean;
}

/** Where the running recording started; kept while the user visits other pages of the console. */
let recordingSince: string | undefined;

const BASE = new Set(['System.Anonymous', 'System.View', 'System.Read']);
const LIST = '/vcenter/authorization/privilege-checks';

/** The checks since `from` up to `to`, every page of them. */
async function checksBetween(from: string, to: string): Promise<{ checks: Check[]; truncated: boolean }> {
  const checks: Check[] = [];
  let marker = from;
  let truncated = false;
  while (marker !== to) {
    const page = await api<ListResult>('POST', LIST, { iteration: { marker, end_marker: to, size: 10000 } });
    checks.push(...page.items);
    truncated ||= page.truncated;
    if (page.marker === marker) break;
    marker = page.marker;
  }
  return { checks, truncated };
}

interface Group {
  principal: string;
  privileges: string[];
}

function groupByPrincipal(checks: Check[]): Group[] {
  const groups = new Map<string, Set<string>>();
  for (const check of checks) {
    const principal = check.principal ? `${check.principal.name}@${check.principal.domain.toUpperCase()}` : '(anonymous)';
    if (!groups.has(principal)) groups.set(principal, new Set());
    groups.get(principal)!.add(check.privilege);
  }
  return [...groups].map(([principal, privileges]) => ({ principal, privileges: [...privileges].sort() }));
}

function CreateRole({ group }: { group: Group }) {
  const access = useAccess();
  const action = useAction();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string>();
  if (!access.can('vapi_auth.roles.create')) return null;
  const privileges = group.privileges.filter((p) => !BASE.has(p));
  return (
    <form
      class="inline"
      onSubmit={submitted(() => action.run(() => api('POST', '/vapi-auth/roles', { role: name, privileges }), () => setCreated(name)))}
    >
      <input aria-label={`Role name for ${group.principal}`} placeholder="Role name" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
      <button type="submit">Create role from these privileges</button>
      {created ? <span role="status">Role {created} created: give it to a user under Users and roles.</span> : null}
      <Alert text={action.error} />
    </form>
  );
}

/**
 * The privilege-check recorder (authorization.md): "Start recording" notes the latest check, "Stop"
 * lists every check made since, on every node, per principal, with the operations that need each
 * privilege (from the OpenAPI document).
 */
export function RecorderPage() {
  const access = useAccess();
  const action = useAction();
  const [start, setStartState] = useState(recordingSince);
  const setStart = (marker: string | undefined) => setStartState((recordingSince = marker));
  const [result, setResult] = useState<{ groups: Group[]; truncated: boolean }>();
  const neededBy = (privilege: string) => [...access.operations].filter(([, needed]) => needed.includes(privilege)).map(([operation]) => operation);
  const begin = () =>
    action.run(async () => {
      setStart(await api<string>('GET', `${LIST}/latest`));
      setResult(undefined);
    });
  const stop = () =>
    action.run(async () => {
      const end = await api<string>('GET', `${LIST}/latest`);
      const { checks, truncated } = await checksBetween(start!, end);
      setResult({ groups: groupByPrincipal(checks), truncated });
      setStart(undefined);
    });
  return (
    <section>
      <p>Start recording, run your script against this server (any node), then stop: the privileges it was checked for make a least-privilege role.</p>
      {start === undefined ? (
        <button type="button" onClick={begin}>
          Start recording
        </button>
      ) : (
        <>
          <span role="status" class="recording">
            Recording since check {start}…
          </span>
          <button type="button" onClick={stop}>
            Stop
          </button>
        </>
      )}
      <Alert text={action.error} />
      {result?.truncated ? <p role="alert" class="alert">Older checks were dropped while recording (--privilege-checks): the list may be incomplete.</p> : null}
      {result && result.groups.length === 0 ? <p>No privilege was checked while recording.</p> : null}
      {result?.groups.map((group) => (
        <article class="recorded" data-principal={group.principal}>
          <h2>{group.principal}</h2>
          <Table headers={['Privilege', 'Needed by']}>
              {group.privileges.map((privilege) => (
                <tr>
                  <td>{privilege}</td>
                  <td class="sub">{neededBy(privilege).join(', ') || 'checked at run time'}</td>
                </tr>
              ))}
            </Table>
          <CreateRole group={group} />
        </article>
      ))}
    </section>
  );
}
